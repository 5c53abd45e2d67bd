//! Every route has its action in the access table, and the documentation shows the table as
//! the code has it.

use std::collections::BTreeSet;

use ordo_domain::auth::access::markdown;

#[test]
fn every_operation_has_an_action_and_every_action_route_is_an_operation() {
    let doc = ordo_server::openapi_document();
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let action = op["x-ordo-action"].as_str();
            assert!(
                action.is_some(),
                "{method} {path} has no action in the access table"
            );
            let description = op["description"].as_str().unwrap_or("");
            assert!(
                description.contains("Action `"),
                "{method} {path}: {description}"
            );
            operations.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    // Operations routes (`/metrics`) are not in the API's description.
    let api: Vec<_> = ordo_server::access::ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/v1"))
        .collect();
    let routes: BTreeSet<_> = api
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(routes.len(), api.len(), "a route is listed twice");
    let stale: Vec<_> = routes.difference(&operations).collect();
    assert!(
        stale.is_empty(),
        "routes in the access table that do not exist: {stale:?}"
    );
}

#[test]
fn the_documentation_shows_the_access_table_as_the_code_has_it() {
    let table = markdown();
    for doc in ["docs/API.md", "docs/SECURITY.md"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(doc);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&table),
            "{doc} does not hold the access table as the code has it; put this there:\n\n{table}"
        );
    }
}
