//! Building queries whose text and arguments are decided at run time, with `$N` placeholders
//! (both SQLite and PostgreSQL read them) and only the value types both databases share.

use std::fmt::Write;

use sqlx::AssertSqlSafe;
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

/// A value both databases store the same way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Real(Option<f64>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
/// Booleans are stored as 0/1 integers.
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}
impl From<Option<f64>> for Arg {
    fn from(v: Option<f64>) -> Self {
        Arg::Real(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}

/// Query text with its arguments, numbered as they are added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql {
    pub(super) text: String,
    pub(super) args: Vec<Arg>,
    has_where: bool,
    /// Set on a multi-row insert (`inserts.rs`): its rows are its arguments, written out as
    /// statements by the connection that runs it.
    pub(super) rows: Option<InsertRows>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
            has_where: false,
            rows: None,
        }
    }

    /// Starts the next condition: ` WHERE ` the first time, ` AND ` after.
    pub(crate) fn and_where(&mut self) -> &mut Self {
        self.text
            .push_str(if self.has_where { " AND " } else { " WHERE " });
        self.has_where = true;
        self
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub(crate) fn arg(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Appends `$a, $b, ...` for each value, for `IN (...)` lists.
    pub(crate) fn list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.arg(value);
        }
        self
    }

    /// Adds arguments for `$N` placeholders the text already holds.
    pub(crate) fn extend_args(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.args.extend(args);
        self
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
    }

    pub(crate) fn build(self) -> Query<'static, Any, AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(self.text));
        for arg in self.args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::Real(v) => query.bind(v),
            };
        }
        query
    }
}

/// What makes a [`Sql`] a multi-row insert: its table, columns, and where the text that
/// follows the rows (an `ON CONFLICT` clause) starts.
#[derive(Debug, Clone)]
pub(crate) struct InsertRows {
    pub(super) table: String,
    pub(super) columns: Vec<String>,
    pub(super) suffix_at: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT * FROM t WHERE a = ");
        sql.arg(1_i64)
            .push(" AND b IN (")
            .list(["x", "y"])
            .push(")");
        assert_eq!(sql.text, "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(sql.args.len(), 3);
    }
}
