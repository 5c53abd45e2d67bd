//! Running statements, whichever driver carries them: [`Exec`] takes a [`Sql`] and answers
//! rows as [`Row`]s, so the store's queries are written once, whatever runs them. sqlx's
//! `Any` connections implement it here.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Column, Row as _, TypeInfo, ValueRef};

use super::args::{Arg, Sql};
use crate::error::{StoreError, StoreResult};

/// A value read back from a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// A row read back: its values, found by column name (or position).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        Self { columns, values }
    }

    pub(crate) fn get(&self, column: &str) -> StoreResult<&Value> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column} in the row")))
    }

    pub(crate) fn at(&self, index: usize) -> StoreResult<&Value> {
        self.values
            .get(index)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {index} in the row")))
    }

    /// The integer at a position (for `SELECT count(*)` and the like).
    pub(crate) fn int_at(&self, index: usize) -> StoreResult<i64> {
        int_value(self.at(index)?, "column")?
            .ok_or_else(|| StoreError::Corrupt(format!("column {index} is null")))
    }

    /// The text at a position.
    pub(crate) fn text_at(&self, index: usize) -> StoreResult<String> {
        match self.at(index)? {
            Value::Text(s) => Ok(s.clone()),
            other => Err(StoreError::Corrupt(format!(
                "column {index} is not text: {other:?}"
            ))),
        }
    }

    pub(crate) fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }
}

/// Statements run on one connection (or one transaction).
#[async_trait]
pub(crate) trait Exec: Send {
    /// Runs a statement; answers the rows it changed.
    async fn run(&mut self, sql: Sql) -> StoreResult<u64>;
    /// Runs a query; answers its rows.
    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>>;

    /// The first row, if any.
    async fn first(&mut self, sql: Sql) -> StoreResult<Option<Row>> {
        Ok(self.rows(sql).await?.into_iter().next())
    }

    /// The one row a query must answer.
    async fn one(&mut self, sql: Sql) -> StoreResult<Row> {
        self.first(sql)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a query that answers a row answered none".into()))
    }
}

#[async_trait]
impl Exec for sqlx::Transaction<'_, sqlx::Any> {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        (**self).run(sql).await
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        (**self).rows(sql).await
    }
}

#[async_trait]
impl Exec for sqlx::pool::PoolConnection<sqlx::Any> {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        (**self).run(sql).await
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        (**self).rows(sql).await
    }
}

#[async_trait]
impl Exec for sqlx::AnyConnection {
    async fn run(&mut self, sql: Sql) -> StoreResult<u64> {
        let mut changed = 0;
        for part in statements(self, sql)? {
            changed += part.build().execute(&mut *self).await?.rows_affected();
        }
        Ok(changed)
    }

    async fn rows(&mut self, sql: Sql) -> StoreResult<Vec<Row>> {
        let mut rows = Vec::new();
        for part in statements(self, sql)? {
            rows.extend(any_rows(part.build().fetch_all(&mut *self).await?)?);
        }
        Ok(rows)
    }
}

/// The statements that run `sql` on this connection's database.
fn statements(conn: &sqlx::AnyConnection, sql: Sql) -> StoreResult<Vec<Sql>> {
    if conn.backend_name() == "PostgreSQL" {
        Ok(vec![sql.for_postgres()?])
    } else {
        Ok(sql.for_sqlite())
    }
}

fn any_rows(rows: Vec<AnyRow>) -> StoreResult<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    rows.iter().map(|r| any_row(r, &columns)).collect()
}

fn any_row(row: &AnyRow, columns: &Arc<[String]>) -> StoreResult<Row> {
    let mut values = Vec::with_capacity(columns.len());
    for i in 0..columns.len() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            let kind = raw.type_info().name().to_ascii_uppercase();
            if kind.contains("INT") || kind == "BOOLEAN" || kind == "BOOL" {
                Value::Int(
                    row.try_get::<i64, _>(i)
                        .or_else(|_| row.try_get::<bool, _>(i).map(i64::from))?,
                )
            } else if kind.contains("REAL")
                || kind.contains("DOUBLE")
                || kind.contains("FLOAT")
                || kind == "NUMERIC"
            {
                Value::Real(row.try_get::<f64, _>(i)?)
            } else {
                Value::Text(row.try_get::<String, _>(i)?)
            }
        };
        values.push(value);
    }
    Ok(Row::new(columns.clone(), values))
}

impl Sql {
    /// Statement text written out with its `$N` arguments.
    pub(crate) fn with(text: &str, args: impl IntoIterator<Item = Arg>) -> Self {
        let mut sql = Sql::new(text);
        sql.extend_args(args);
        sql
    }
}

/// An integer as stored: SQLite may hand back a whole real, PostgreSQL a numeric sum as text.
pub(crate) fn int_value(value: &Value, column: &str) -> StoreResult<Option<i64>> {
    match value {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        Value::Real(f) if f.fract() == 0.0 => Ok(Some(*f as i64)),
        Value::Text(t) => t
            .parse()
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("{column} is not an integer: {t}"))),
        other => Err(StoreError::Corrupt(format!(
            "{column} is not an integer: {other:?}"
        ))),
    }
}
