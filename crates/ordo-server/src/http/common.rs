//! What every resource module shares: list pages, time stamps, small parsers.

use ordo_app::Limits;
use ordo_app::{Page, PageRequest};
use ordo_domain::field::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::ApiError;

/// A printed document as the answer: its media type, shown inline under its file name.
pub fn document(doc: ordo_app::documents::Document) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("inline; filename=\"{}\"", doc.file_name);
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                doc.content_type.to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        doc.bytes,
    )
        .into_response()
}

/// `?format=`: the document's format, one of `allowed`; the first when absent.
pub fn format(
    raw: Option<&str>,
    allowed: &[ordo_app::printing::Format],
) -> Result<ordo_app::printing::Format, crate::problem::ApiError> {
    match raw {
        None => Ok(allowed[0]),
        Some(raw) => ordo_app::printing::Format::parse(raw, allowed)
            .map_err(|m| crate::problem::ApiError::field("format", m)),
    }
}

/// Every list answers `{items, next_cursor}`; pass `next_cursor` back as `cursor` for the
/// next page. It is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A whole list, on one page.
    pub fn new(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }

    pub fn from_page<U>(page: Page<U>, view: impl FnMut(U) -> T) -> Self {
        let page = page.map(view);
        Self {
            items: page.items,
            next_cursor: page.next_cursor.as_deref().map(cursor::encode),
        }
    }
}

/// Cursors are opaque: the position a list stopped at, with a check, so that one the list
/// did not hand out is refused (422) instead of being read as some other position.
mod cursor {
    const SEPARATOR: char = '.';

    pub fn encode(position: &str) -> String {
        let hex: String = position.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{hex}{SEPARATOR}{:08x}", check(position))
    }

    pub fn decode(token: &str) -> Option<String> {
        let (hex, sum) = token.split_once(SEPARATOR)?;
        if hex.len() % 2 != 0 || hex.len() > 1_000 {
            return None;
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let position = String::from_utf8(bytes).ok()?;
        (format!("{:08x}", check(&position)) == sum).then_some(position)
    }

    /// FNV-1a: catches typos and cut-off cursors; a cursor is a position, not a secret.
    fn check(position: &str) -> u32 {
        position.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_cursor_reads_back_and_a_changed_one_is_refused() {
            let token = super::encode("ord_01KDVDNA00N7XNDHQ4X4GPAA47");
            assert_eq!(
                super::decode(&token).as_deref(),
                Some("ord_01KDVDNA00N7XNDHQ4X4GPAA47")
            );
            assert_eq!(super::decode("garbage"), None);
            assert_eq!(super::decode(&token.replacen('6', "7", 1)), None);
            assert_eq!(super::decode(&token[..token.len() - 1]), None);
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1 to 500 (default 50).
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn page(&self, limits: &Limits, errors: &mut FieldErrors) -> PageRequest {
        let limit = match &self.limit {
            None => limits.page_limit_default,
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if (1..=limits.page_limit_max).contains(&n) => n,
                _ => {
                    errors.push(
                        "limit",
                        format!("must be a whole number from 1 to {}", limits.page_limit_max),
                    );
                    limits.page_limit_default
                }
            },
        };
        let cursor = self.cursor.as_deref().filter(|c| !c.is_empty());
        let cursor = cursor.and_then(|token| {
            let position = cursor::decode(token);
            if position.is_none() {
                errors.push("cursor", "is not a cursor this list handed out");
            }
            position
        });
        PageRequest { limit, cursor }
    }

    /// The page asked for, or a 422 naming what is wrong with it.
    pub fn checked(&self, limits: &Limits) -> Result<PageRequest, ApiError> {
        let mut errors = FieldErrors::new();
        let page = self.page(limits, &mut errors);
        errors.into_result().map_err(ApiError::invalid)?;
        Ok(page)
    }
}

/// An instant as RFC 3339 in UTC, such as `2026-11-22T09:30:00.125Z`.
pub fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

pub fn parse_timestamp(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|_| "must be an RFC 3339 time such as 2026-11-22T09:30:00Z".to_string())
}

/// Applies an RFC 7396 JSON merge patch: objects merge key by key, `null` removes a key, any
/// other value replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(fields) = target {
        for (key, value) in patch {
            if value.is_null() {
                fields.remove(key);
            } else {
                merge_patch(fields.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// The document a resource's view becomes before a merge patch: its read-only members removed.
pub fn patchable(view: impl Serialize, read_only: &[&str]) -> serde_json::Value {
    let mut document = serde_json::to_value(view).unwrap_or_default();
    if let Some(fields) = document.as_object_mut() {
        for key in read_only {
            fields.remove(*key);
        }
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_patch_replaces_merges_and_removes() {
        let mut doc = json!({ "a": 1, "b": { "c": 2, "d": 3 }, "e": 4 });
        merge_patch(
            &mut doc,
            &json!({ "a": 9, "b": { "c": null, "x": 5 }, "e": null }),
        );
        assert_eq!(doc, json!({ "a": 9, "b": { "d": 3, "x": 5 } }));
    }
}
