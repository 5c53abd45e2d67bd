//! The routers built from routing profiles, kept between transactions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ordo_domain::routing::ProfileRouter;

/// Routers by (profile id, version, carriers' count, carriers' last change): a new profile
/// version or a carrier change builds them again.
pub(crate) type RouterCache = Mutex<HashMap<(String, i64, i64, i64), Arc<ProfileRouter>>>;
