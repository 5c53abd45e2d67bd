//! The OpenAPI document holds what a generated client needs: every response described,
//! errors as problems, operation ids unique, every status, kind, role and reason an enum,
//! required members never null, dates formatted. (openapi-spec-validator and a generated
//! Python client check it from outside: `crates/ordo/tests/client.rs`.)

use std::collections::HashSet;

use serde_json::Value;

/// Members named like a kind that are free text.
const FREE_TEXT: &[(&str, &str)] = &[
    ("AdjustmentsBody", "reason"),
    ("CancelBody", "reason"),
    ("CountBody", "reason"),
    ("LedgerEntryView", "reason"),
    ("OrderEventView", "reason"),
    ("ReclassificationsBody", "reason"),
    ("RejectedRowView", "reason"),
    ("TrackingResultView", "reason"),
    ("TransferBody", "reason"),
    ("TransferView", "reason"),
    ("Explanation", "strategy"),
];

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((path.clone(), method.clone(), op));
        }
    }
    ops
}

#[test]
fn every_response_is_described_and_every_error_is_a_problem() {
    let doc = ordo_server::openapi_document();
    for (path, method, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            assert!(
                response["description"].is_string(),
                "{method} {path} {status}"
            );
            if status.starts_with('4') || status.starts_with('5') {
                let content = response["content"].as_object().unwrap();
                assert!(
                    content.contains_key("application/problem+json"),
                    "{method} {path} {status}"
                );
                assert!(
                    !content.contains_key("application/json"),
                    "{method} {path} {status}"
                );
            }
        }
        if path.starts_with("/v1") {
            for status in ["401", "403", "503"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path} declares {status}"
                );
            }
        }
    }
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    for member in [
        "errors",
        "short_lines",
        "order_id",
        "order_number",
        "order_status",
    ] {
        assert!(
            problem.get(member).is_some(),
            "the problem schema has {member}"
        );
    }
}

#[test]
fn operation_ids_are_unique() {
    let doc = ordo_server::openapi_document();
    let mut seen = HashSet::new();
    for (path, method, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}"));
        assert!(seen.insert(id.to_string()), "{id} repeats");
    }
}

#[test]
fn every_status_kind_role_and_reason_is_an_enum_and_required_members_are_never_null() {
    let doc = ordo_server::openapi_document();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (member, property) in &properties {
            let named = ordo_server::openapi::ENUM_NAMES.contains(&member.as_str());
            let free = FREE_TEXT.contains(&(name.as_str(), member.as_str()));
            let typed = property.get("enum").is_some()
                || property.get("$ref").is_some()
                || property["items"].get("enum").is_some()
                || property.get("type").is_some_and(|t| t == "integer");
            assert!(!named || free || typed, "{name}.{member} lists its values");
            if member.ends_with("_at") && property.get("type").is_some() {
                assert_eq!(property["format"], "date-time", "{name}.{member}");
            }
        }
        for member in schema["required"].as_array().cloned().unwrap_or_default() {
            let property = &properties[member.as_str().unwrap()];
            let types = property["type"].as_array().cloned().unwrap_or_default();
            assert!(
                !types.contains(&Value::from("null")),
                "{name}.{member} is required and never null"
            );
        }
    }
}

#[test]
fn documents_and_uploads_declare_their_media_types() {
    let doc = ordo_server::openapi_document();
    let label = &doc["paths"]["/v1/shipments/{id}/label"]["get"]["responses"]["200"]["content"];
    assert!(label.get("application/pdf").is_some() && label.get("application/zpl").is_some());
    let csv = &doc["paths"]["/v1/locations/{code}/pick-list"]["get"]["responses"]["200"]["content"];
    assert!(csv.get("text/csv").is_some());
    let sync = &doc["paths"]["/v1/inventory/sync"]["post"]["requestBody"]["content"];
    assert!(sync.get("text/csv").is_some() && sync.get("application/json").is_some());
    let limit = doc["paths"]["/v1/orders"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!(limit["schema"]["type"], "integer");
    let hold = &doc["paths"]["/v1/holds"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["$ref"];
    assert_eq!(
        hold, "#/components/schemas/CheckoutHoldBody",
        "a checkout hold is placed with its own body"
    );
}
