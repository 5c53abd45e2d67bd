#!/usr/bin/env python3
"""Which B-trees the commits in a SQLite write-ahead log dirtied: reads the log's frames (each
frame one 4 KiB page written by a commit), groups them by commit, and names each page's table
or index with the database's `dbstat` table. Prints pages per commit, and per order when the
orders placed per commit are given.

    scripts/wal-pages.py DB WAL [ORDERS_PER_COMMIT]
"""
import collections
import sqlite3
import struct
import sys


def commits(wal):
    """The pages of each complete commit in the log, oldest first."""
    data = open(wal, "rb").read()
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">IIIIIIII", data[:32])
    done, pages, offset = [], [], 32
    while offset + 24 + page_size <= len(data):
        page, db_size, s1, s2, _, _ = struct.unpack(">IIIIII", data[offset : offset + 24])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier log, not yet overwritten
        pages.append(page)
        if db_size:  # the commit's last frame
            done.append(set(pages))
            pages = []
        offset += 24 + page_size
    return done


def main():
    db, wal = sys.argv[1], sys.argv[2]
    per_commit = float(sys.argv[3]) if len(sys.argv) > 3 else None
    # Read the log before SQLite opens the database: opening it may checkpoint the log away.
    logged = commits(wal)[1:]  # the first may be a checkpoint's restart, not a batch
    owner = {
        page: name
        for name, page in sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
            "SELECT name, pageno FROM dbstat"
        )
    }
    count = collections.Counter(owner.get(p, "?") for c in logged for p in c)
    n = max(1, len(logged))
    total = sum(count.values())
    print(f"{len(logged)} commits, {total / n:.1f} pages per commit", end="")
    print(f", {total / n / per_commit:.2f} per order" if per_commit else "")
    for name, pages in count.most_common():
        per_order = f"{pages / n / per_commit:8.2f}" if per_commit else ""
        print(f"{pages / n:8.2f}{per_order}  {name}")


main()
