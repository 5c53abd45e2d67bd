//! Stock as readers see it: held reservations of checkout holds past their expiry still sit
//! in `reserved` until something releases them, so readers subtract them.

use super::args::Sql;

/// Held reservations past their expiry still sit in `reserved` until something releases them;
/// readers subtract them, so an expired hold frees its units at once. This is the per-position
/// sum to subtract, as SQL joinable on (sku, location).
pub(crate) fn expired_holds_sql(now_ms: i64, sql: &mut Sql) {
    sql.push(
        "(SELECT sku, location, CAST(SUM(quantity) AS BIGINT) AS expired FROM reservations \
         WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= ",
    );
    sql.arg(now_ms).push(" GROUP BY sku, location)");
}

/// The positions of these items at active locations, as a reader sees them at `now_ms`.
pub(crate) fn effective_positions_sql(now_ms: i64) -> Sql {
    let mut sql = Sql::new(
        "SELECT p.location, p.sku, p.on_hand, p.reserved - COALESCE(x.expired, 0) AS reserved, p.safety_stock, \
         p.damaged, p.quality_hold FROM inventory_positions p LEFT JOIN ",
    );
    expired_holds_sql(now_ms, &mut sql);
    sql.push(" x ON x.sku = p.sku AND x.location = p.location");
    sql
}
