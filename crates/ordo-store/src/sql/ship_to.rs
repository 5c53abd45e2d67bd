//! Writing an edited order's address.

use ordo_domain::order::Order;

use super::args::Sql;
use super::exec::Exec;
use crate::error::StoreResult;

pub(crate) async fn update_ship_to(conn: &mut dyn Exec, order: &Order) -> StoreResult<()> {
    let Some(s) = &order.ship_to else {
        return Ok(());
    };
    let mut sql = Sql::new("UPDATE orders SET ship_to_name = ");
    sql.arg(s.name.as_str())
        .push(", ship_to_line1 = ")
        .arg(s.line1.as_str())
        .push(", ship_to_line2 = ")
        .arg(s.line2.clone())
        .push(", ship_to_city = ")
        .arg(s.city.as_str())
        .push(", ship_to_region = ")
        .arg(s.region.clone())
        .push(", ship_to_postal_code = ")
        .arg(s.postal_code.as_str())
        .push(", ship_to_country = ")
        .arg(s.country.as_str())
        .push(", ship_to_lat = ")
        .arg(s.point.map(|p| p.lat))
        .push(", ship_to_lon = ")
        .arg(s.point.map(|p| p.lon))
        .push(", ship_to_directions = ")
        .arg(s.directions.clone())
        .push(" WHERE id = ")
        .arg(order.id.as_str());
    conn.run(sql).await?;
    Ok(())
}
