//! What the derived description leaves out, put in by rule rather than route by route, so
//! that no route can forget it: a description on every response, errors as
//! `application/problem+json` with the problem schema and its extension members, the errors
//! every route can answer, required members that are never null, formats for dates and
//! instants (by the naming convention: `…_at` is an instant, `…_date` a date), and enums for
//! every member that names a status, kind, role or reason (from the domain's own lists).

use serde_json::{Value, json};

use ordo_domain::auth::access::{Grant, ROLES};

use super::enums::{ENUMS, PARAM_ENUMS};

/// Routes that answer documents, and the media types each offers (`format=`).
const DOCUMENTS: &[(&str, &[&str])] = &[
    (
        "/v1/shipments/{id}/label",
        &["application/pdf", "application/zpl"],
    ),
    (
        "/v1/fulfillment-orders/{id}/packing-slip",
        &["application/pdf"],
    ),
    (
        "/v1/locations/{code}/pick-list",
        &["application/pdf", "text/csv"],
    ),
    (
        "/v1/carriers/{code}/manifest",
        &["application/pdf", "text/csv"],
    ),
];

/// Routes that also take a CSV upload.
const CSV_UPLOADS: &[&str] = &["/v1/inventory/sync"];

const PROBLEM: &str = "#/components/schemas/Problem";

pub fn finish(doc: &mut Value) {
    problem_schema(doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                who_may_call(path, method, op);
                idempotency_key(path, method, op);
                responses(path, method, op);
                media_types(path, op);
                for p in op
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    parameter(path, p);
                }
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            tidy_schema(name, schema);
        }
    }
}

/// A query parameter's type by its name, and its values where the route lists them.
fn parameter(path: &str, p: &mut Value) {
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(schema) = p.get_mut("schema") else {
        return;
    };
    match name.as_str() {
        "limit" => *schema = json!({ "type": "integer", "minimum": 1, "maximum": 500 }),
        "by_date" | "dry_run" | "skip_bad_rows" => *schema = json!({ "type": "boolean" }),
        "format" => {
            let offered: Vec<&str> = DOCUMENTS
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, types)| {
                    types
                        .iter()
                        .map(|t| t.rsplit('/').next().unwrap_or(""))
                        .collect()
                })
                .unwrap_or_default();
            if !offered.is_empty() {
                *schema = json!({ "type": "string", "enum": offered });
            }
        }
        _ => format_by_name(&name, schema),
    }
    if let Some((_, _, values)) = PARAM_ENUMS
        .iter()
        .find(|(p, n, _)| *p == path && *n == name)
    {
        *schema = json!({ "type": "string", "enum": values() });
    }
}

/// Documents answered with their media types; CSV uploads taken as `text/csv`.
fn media_types(path: &str, op: &mut Value) {
    if let Some((_, types)) = DOCUMENTS.iter().find(|(p, _)| *p == path) {
        let content: serde_json::Map<String, Value> = types
            .iter()
            .map(|t| {
                let schema = if *t == "application/pdf" {
                    json!({ "type": "string", "format": "binary" })
                } else {
                    json!({ "type": "string" })
                };
                (t.to_string(), json!({ "schema": schema }))
            })
            .collect();
        if let Some(ok) = op.pointer_mut("/responses/200") {
            ok["content"] = Value::Object(content);
        }
    }
    if CSV_UPLOADS.contains(&path)
        && let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
    {
        content.insert(
            "text/csv".into(),
            json!({ "schema": { "type": "string", "description": "A header row naming the columns, then one row per position" } }),
        );
    }
}

/// The problem document: its members, and the extension members some problems carry.
fn problem_schema(doc: &mut Value) {
    let problem = json!({
        "type": "object",
        "description": "An RFC 9457 problem. Problems about fields name every bad one in `errors`; others add what the caller needs to act.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": { "type": "string", "description": "A URI reference naming the kind of problem, such as `/problems/validation`." },
            "title": { "type": "string" },
            "status": { "type": "integer", "format": "int32" },
            "detail": { "type": "string" },
            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/ProblemField" },
                        "description": "Every rejected field, when the problem is about fields." },
            "short_lines": { "type": "array", "description": "Lines that cannot be covered (409 insufficient stock).",
                             "items": { "type": "object", "required": ["line", "sku", "requested", "available"],
                                        "properties": { "line": { "type": "integer" }, "sku": { "type": "string" },
                                                        "requested": { "type": "integer" }, "available": { "type": "integer" } } } },
            "order_id": { "type": "string", "description": "The order a duplicate or a reused idempotency key points at." },
            "order_number": { "type": "string" },
            "order_status": { "type": "string", "description": "The order's status, when it cannot make the transition asked." },
            "retry_after_s": { "type": "integer", "description": "Seconds to wait before trying again (429), as Retry-After says." },
        }
    });
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.insert("Problem".into(), problem);
    }
}

/// The route's action in the access table (`x-ordo-action`), and who may call it, in words.
fn who_may_call(path: &str, method: &str, op: &mut Value) {
    let method = method.to_ascii_uppercase().parse().ok();
    let Some(route) = method.and_then(|m| crate::access::route_of(&m, path)) else {
        return;
    };
    let row = route.action.row();
    let who: Vec<String> = ROLES
        .iter()
        .zip(row.grants)
        .filter_map(|(role, grant)| {
            let role = role.as_str();
            match grant {
                Grant::No => None,
                Grant::All => Some(format!("`{role}`")),
                Grant::Own if role == "location" => Some(format!("`{role}` (its own location's)")),
                Grant::Own => Some(format!("`{role}` (its own channel's)")),
            }
        })
        .collect();
    let Some(op) = op.as_object_mut() else {
        return;
    };
    let said = op.get("description").and_then(Value::as_str).unwrap_or("");
    let description = format!("{said}\n\nAction `{}`: {}.", row.name, who.join(", "));
    op.insert("description".into(), json!(description.trim_start()));
    op.insert("x-ordo-action".into(), json!(row.name));
}

/// Every write under `/v1` takes an `Idempotency-Key`.
fn idempotency_key(path: &str, method: &str, op: &mut Value) {
    if !path.starts_with("/v1") || method == "get" {
        return;
    }
    let Some(op) = op.as_object_mut() else {
        return;
    };
    let parameters = op.entry("parameters").or_insert_with(|| json!([]));
    let Some(parameters) = parameters.as_array_mut() else {
        return;
    };
    if parameters.iter().any(|p| p["name"] == "Idempotency-Key") {
        return;
    }
    parameters.push(json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "schema": { "type": "string", "minLength": 1, "maxLength": 255 },
        "description": "Makes a retry safe: the same key and request get the first answer again (`Idempotent-Replayed: true`), done once; another request under the key is 422, and while the first is still worked on, 409. Keys belong to the caller's API key and last 24 hours."
    }));
}

fn problem_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": PROBLEM } } } })
}

/// Every response described; errors as problems; the errors every route can answer.
fn responses(path: &str, method: &str, op: &mut Value) {
    let takes_body = op.get("requestBody").is_some();
    let takes_input = takes_body || op.get("parameters").is_some();
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        if !response.contains_key("description") {
            response.insert("description".into(), json!(default_description(status)));
        }
        let error = status.starts_with('4') || status.starts_with('5');
        let content = response.get_mut("content").and_then(Value::as_object_mut);
        if let (true, Some(content)) = (error, content)
            && let Some(json) = content.remove("application/json")
        {
            content.insert("application/problem+json".into(), json);
        }
    }
    if !path.starts_with("/v1") {
        return;
    }
    let mut standard = vec![
        ("401", "No key, or one unknown or revoked"),
        ("403", "The key's role may not do this"),
        (
            "429",
            "Too many unknown keys from this client: retry after Retry-After seconds",
        ),
        ("503", "Overloaded or timed out: retry (Retry-After)"),
    ];
    if takes_input {
        standard.push(("422", "A field is wrong: `errors` names each"));
        standard.push(("400", "The body is not JSON, or the query cannot be read"));
    }
    if takes_body {
        standard.push(("415", "The body is not of a media type the route takes"));
    }
    if path.contains('{') {
        standard.push(("404", "Not found (or not the caller's to see)"));
    }
    if method != "get" {
        standard.push(("409", "The resource's state does not allow it"));
        standard.push(("413", "The body is too large"));
    }
    for (status, description) in standard {
        responses
            .entry(status.to_string())
            .or_insert_with(|| problem_response(description));
    }
}

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted: it waits for someone else to finish",
        "204" => "Done; nothing to answer",
        "400" => "The body is not JSON",
        "401" => "No key, or one unknown or revoked",
        "403" => "The key's role may not do this",
        "404" => "Not found (or not the caller's to see)",
        "409" => "The resource's state does not allow it",
        "413" => "The body is too large",
        "415" => "The body is not of a media type the route takes",
        "422" => "A field is wrong: `errors` names each",
        "429" => "Too many unknown keys from this client: retry after Retry-After seconds",
        "503" => "Overloaded or timed out: retry (Retry-After)",
        _ => "See the problem's detail",
    }
}

/// Required members never null; formats and enums by name; into nested objects too.
fn tidy_schema(name: &str, schema: &mut Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (member, property) in properties.iter_mut() {
            if required.contains(member) {
                not_null(property);
            }
            format_by_name(member, property);
            if let Some(values) = ENUMS
                .iter()
                .find(|e| e.0 == name && e.1 == member)
                .map(|e| (e.2)())
            {
                set_enum(property, &values);
            }
            tidy_schema("", property);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get_mut(key) {
            tidy_schema("", inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for inner in schema
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            tidy_schema(name, inner);
        }
    }
}

/// A required member is always there and never null.
fn not_null(property: &mut Value) {
    if let Some(Value::Array(types)) = property.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            property["type"] = only;
        }
    }
    if let Some(Value::Array(variants)) = property.get("oneOf").cloned() {
        let kept: Vec<Value> = variants
            .into_iter()
            .filter(|v| v.get("type") != Some(&json!("null")))
            .collect();
        if let (1, Some(object)) = (kept.len(), property.as_object_mut()) {
            object.remove("oneOf");
            if let Value::Object(inner) = &kept[0] {
                for (k, v) in inner {
                    object.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// `…_at` and `at` are instants, `…_date`, `date` and `deliver_by` dates, when they are text.
fn format_by_name(name: &str, property: &mut Value) {
    let is_text = match property.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if !is_text || property.get("format").is_some() {
        return;
    }
    let format = if name == "at" || name.ends_with("_at") || name == "created_after" {
        "date-time"
    } else if name == "date" || name.ends_with("_date") || name == "deliver_by" {
        "date"
    } else {
        return;
    };
    property["format"] = json!(format);
}

fn set_enum(property: &mut Value, values: &[&'static str]) {
    let nullable =
        matches!(property.get("type"), Some(Value::Array(ts)) if ts.iter().any(|t| t == "null"));
    let mut list: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    if nullable {
        list.push(Value::Null);
    }
    let is_array = property.get("type") == Some(&json!("array"));
    let target = match property.get_mut("items") {
        Some(items) if is_array => items,
        _ => property,
    };
    if let Some(object) = target.as_object_mut() {
        object.insert("enum".into(), Value::Array(list));
    }
}

/// Members whose values a test checks against the document: every member named like a kind
/// (status, kind, role…) must have an enum.
pub const ENUM_NAMES: [&str; 11] = [
    "status", "kind", "role", "reason", "strategy", "mode", "level", "method", "result", "phase",
    "outcome",
];
