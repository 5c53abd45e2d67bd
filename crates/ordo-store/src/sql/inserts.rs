//! Multi-row inserts, written out by the connection that runs them. [`inserts`] keeps the
//! rows as the statement's arguments; SQLite runs them as `INSERT … VALUES (…), (…)` in
//! chunks under [`STATEMENT_ARGS_MAX`] arguments, PostgreSQL as one statement whatever the
//! rows — `INSERT … SELECT … FROM json_populate_recordset(NULL::table, $1::json)` — whose
//! text is the same for every batch, so it is prepared once per connection and a batch's
//! rows of one table cost one round trip.

use serde::{Serialize, Serializer};

use super::args::{Arg, InsertRows, Sql};
use crate::error::{StoreError, StoreResult};

/// Most arguments one SQLite statement carries. SQLite allows tens of thousands, but parsing
/// and preparing a statement grows with its placeholders: loading the demo's 2,866 positions
/// took 3.9 s in statements of 30,000 arguments and 0.42 s in statements of 600; placing
/// orders ran fastest with 200 (1,659 / 1,694 orders/s against 1,599 / 1,634 with 1,000).
pub(crate) const STATEMENT_ARGS_MAX: usize = 200;

/// One multi-row insert of `rows` (none when there are no rows); text pushed onto it after
/// (an `ON CONFLICT` clause, without arguments) follows the rows.
pub(crate) fn inserts(table: &str, columns: &[&str], rows: Vec<Vec<Arg>>) -> Vec<Sql> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut sql = Sql::new(&format!("INSERT INTO {table} ({})", columns.join(", ")));
    sql.args = Vec::with_capacity(rows.len() * columns.len());
    for row in rows {
        debug_assert_eq!(row.len(), columns.len(), "a row of {table}");
        sql.args.extend(row);
    }
    sql.rows = Some(InsertRows {
        table: table.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        suffix_at: sql.text.len(),
    });
    vec![sql]
}

impl Sql {
    /// The statements that run this on SQLite: itself, or a multi-row insert's chunks.
    pub(crate) fn for_sqlite(mut self) -> Vec<Sql> {
        let Some(insert) = self.rows.take() else {
            return vec![self];
        };
        let (head, suffix) = self.text.split_at(insert.suffix_at);
        let width = insert.columns.len().max(1);
        let rows_per_statement = (STATEMENT_ARGS_MAX / width).max(1);
        let mut args = std::mem::take(&mut self.args).into_iter().peekable();
        let mut statements = Vec::new();
        while args.peek().is_some() {
            let mut sql = Sql::new(head);
            sql.push(" VALUES ");
            for row in 0..rows_per_statement {
                if args.peek().is_none() {
                    break;
                }
                sql.push(if row == 0 { "(" } else { ", (" });
                sql.list(args.by_ref().take(width));
                sql.push(")");
            }
            sql.push(suffix);
            statements.push(sql);
        }
        statements
    }

    /// The statement that runs this on PostgreSQL: itself, or a multi-row insert as one
    /// statement of one argument, the rows as a JSON array of objects. The rows are inserted
    /// in their order (identity columns count up as they did row by row).
    pub(crate) fn for_postgres(mut self) -> StoreResult<Sql> {
        let Some(insert) = self.rows.take() else {
            return Ok(self);
        };
        let (head, suffix) = self.text.split_at(insert.suffix_at);
        let selected: Vec<String> = insert.columns.iter().map(|c| format!("x.{c}")).collect();
        let mut sql = Sql::new(head);
        sql.push(" SELECT ")
            .push(&selected.join(", "))
            .push(&format!(
                " FROM json_populate_recordset(NULL::{}, ",
                insert.table
            ))
            .arg(rows_json(&insert.columns, &self.args)?)
            .push("::json) WITH ORDINALITY AS x ORDER BY x.ordinality")
            .push(suffix);
        Ok(sql)
    }
}

/// `[{"column": value, …}, …]`, a row per `columns.len()` arguments.
fn rows_json(columns: &[String], args: &[Arg]) -> StoreResult<String> {
    serde_json::to_string(&JsonRows { columns, args })
        .map_err(|e| StoreError::Corrupt(format!("rows as JSON: {e}")))
}

struct JsonRows<'a> {
    columns: &'a [String],
    args: &'a [Arg],
}

impl Serialize for JsonRows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rows = self.args.chunks(self.columns.len().max(1));
        serializer.collect_seq(rows.map(|row| JsonRow(self.columns, row)))
    }
}

struct JsonRow<'a>(&'a [String], &'a [Arg]);

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().zip(self.1))
    }
}

/// An argument as a JSON value: a number, a string, or null (also for a real that is not
/// finite, as serde_json writes it).
impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Int(v) => v.serialize(serializer),
            Arg::Real(v) => v.serialize(serializer),
            Arg::Text(v) => v.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<Vec<Arg>> {
        (0..n).map(|i| vec![Arg::from(i), Arg::from("x")]).collect()
    }

    #[test]
    fn on_sqlite_large_inserts_are_split_under_the_argument_limit() {
        let mut statements = inserts("t", &["a", "b"], rows(20_000));
        assert_eq!(statements.len(), 1);
        statements[0].push(" ON CONFLICT (a) DO NOTHING");
        let split = statements.pop().unwrap().for_sqlite();
        assert_eq!(split.len(), 40_000_usize.div_ceil(STATEMENT_ARGS_MAX));
        assert!(split.iter().all(|s| s.args.len() <= STATEMENT_ARGS_MAX));
        assert_eq!(split.iter().map(|s| s.args.len()).sum::<usize>(), 40_000);
        assert!(
            split[0]
                .text
                .starts_with("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6), (")
        );
        assert!(
            split
                .iter()
                .all(|s| s.text.ends_with(") ON CONFLICT (a) DO NOTHING"))
        );
    }

    #[test]
    fn on_postgres_an_insert_is_one_statement_of_one_argument() {
        let mut rows = rows(2);
        rows[1] = vec![Arg::Int(None), Arg::from("say \"hi\"\n")];
        let sql = inserts("t", &["a", "b"], rows)
            .pop()
            .unwrap()
            .for_postgres()
            .unwrap();
        assert_eq!(
            sql.text,
            "INSERT INTO t (a, b) SELECT x.a, x.b FROM json_populate_recordset(NULL::t, $1::json) \
             WITH ORDINALITY AS x ORDER BY x.ordinality"
        );
        assert_eq!(
            sql.args,
            vec![Arg::from(
                r#"[{"a":0,"b":"x"},{"a":null,"b":"say \"hi\"\n"}]"#
            )]
        );
    }

    #[test]
    fn reals_keep_their_digits_and_no_rows_make_no_statement() {
        let sql = inserts(
            "t",
            &["r"],
            vec![
                vec![Arg::Real(Some(51.23))],
                vec![Arg::Real(Some(f64::NAN))],
            ],
        );
        assert_eq!(
            sql[0].clone().for_postgres().unwrap().args,
            vec![Arg::from(r#"[{"r":51.23},{"r":null}]"#)]
        );
        assert!(inserts("t", &["a"], Vec::new()).is_empty());
    }
}
