//! Pagination and list requests, as plain data.
//!
//! A list is walked page by page. Where the next page comes from is a [`Cursor`]: the date window
//! being walked (for resources with one), and every `next_*` field of the previous answer, echoed
//! back as they came (`next_report_id` and `next_report_updated_at` together, `next_start_date`,
//! `next_history_created_at` or the older `next_history_id`, `next_<x>_id` …). An answer without
//! any non-empty `next_*` field ends the window; the walk ends after the last window.
//!
//! A cursor is handed to JavaScript as a flat object of strings (`page.next`, `error.cursor`) and
//! taken back with the `cursor` option to resume exactly where a failed page was: nothing is
//! fetched twice and nothing is skipped.

use crate::json::{Map, Value};

use super::paths::{Filter, Resource};
use super::windows::{self, DAY};
use crate::error::{Error, Result};

/// Key of a cursor that remembers a window being walked day by day (see [`after_server_error`]).
pub const SPLIT_UNTIL: &str = "split_until";

/// Where the next page comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The date window of this page (inclusive Unix seconds).
    pub window: Option<(i64, i64)>,
    /// While walking one-day windows after a `/schedules` 500: the end of the window that failed.
    pub split_until: Option<i64>,
    /// The `next_*` fields to echo back.
    pub next: Vec<(String, String)>,
}

/// A validated list filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Filters sent as they are (after conversion).
    pub params: Vec<(String, String)>,
    /// Filters the client applies to the items (`report_definition_id` on reports).
    pub client_side: Vec<(String, String)>,
    /// The whole date range to walk, when the caller gave one.
    pub range: Option<(i64, i64)>,
}

fn flag(name: &str, value: &str) -> Result<String> {
    match value {
        "true" | "1" => Ok("1".into()),
        "false" | "0" => Ok("0".into()),
        _ => Err(Error::invalid_input(format!("filter.{name}"), "must be a boolean")),
    }
}

/// Checks a caller's filter against the table and converts it. Unknown names, `next_*` names
/// (use `cursor`), parameters the server would silently ignore, unparseable dates and inverted
/// ranges are refused before anything is sent. `now_s` bounds an open-ended range.
pub fn list_query(res: &Resource, filter: &[(String, String)], now_s: i64) -> Result<ListQuery> {
    let mut query = ListQuery::default();
    let mut from = None;
    let mut to = None;
    for (name, value) in filter {
        let field = || format!("filter.{name}");
        if let Some(window) = res.window {
            if name == window.from || name == window.to {
                let at = windows::parse(value).ok_or_else(|| {
                    Error::invalid_input(field(), "must be a Date or a datetime (YYYY-MM-DDThh:mm:ss UTC, or ISO 8601 with an offset)")
                })?;
                if name == window.from {
                    from = Some(at);
                } else {
                    to = Some(at);
                }
                continue;
            }
        }
        if let Some((_, instead)) = res.ignored.iter().find(|(n, _)| n == name) {
            return Err(Error::invalid_input(field(), format!("is ignored by the server on {}; use {instead}", res.name)));
        }
        if name.starts_with("next_") {
            return Err(Error::invalid_input(field(), "is a cursor field; pass the cursor with the `cursor` option"));
        }
        match res.filter_kind(name) {
            Some(Filter::Text) => query.params.push((name.clone(), value.clone())),
            Some(Filter::Flag) => query.params.push((name.clone(), flag(name, value)?)),
            Some(Filter::ClientSide) => query.client_side.push((name.clone(), value.clone())),
            None => {
                let mut known = res.id_key.to_string();
                let window = res.window.map(|w| [w.from, w.to]);
                for name in res.filters.iter().map(|(n, _)| *n).chain(window.into_iter().flatten()) {
                    known.push_str(", ");
                    known.push_str(name);
                }
                return Err(Error::invalid_input(field(), format!("is not a filter of {}; known: {known}", res.name)));
            }
        }
    }
    if let Some(window) = res.window {
        query.range = match (from, to) {
            (None, None) => None,
            (Some(f), None) => Some((f, now_s.max(f))),
            (None, Some(t)) => Some((t - i64::from(window.max_days) * DAY, t)),
            (Some(f), Some(t)) if f > t => {
                return Err(Error::invalid_input(format!("filter.{}", window.from), format!("is after {}", window.to)))
            }
            (Some(f), Some(t)) => Some((f, t)),
        };
    }
    Ok(query)
}

/// The cursor of the first page.
pub fn first_cursor(res: &Resource, query: &ListQuery) -> Cursor {
    let window = match (res.window, query.range) {
        (Some(w), Some((from, to))) => Some(windows::window_at(from, to, w.max_days)),
        _ => None,
    };
    Cursor { window, split_until: None, next: Vec::new() }
}

/// Query parameters of the page at `cursor` (after `company_id`).
pub fn page_params(res: &Resource, query: &ListQuery, cursor: &Cursor) -> Vec<(String, String)> {
    let mut params = query.params.clone();
    if let (Some(w), Some((from, to))) = (res.window, cursor.window) {
        params.push((w.from.to_string(), windows::format(from)));
        params.push((w.to.to_string(), windows::format(to)));
    }
    params.extend(cursor.next.iter().cloned());
    params
}

fn one_day(start: i64, end: i64) -> (i64, i64) {
    (start, end.min(start + DAY - 1))
}

/// The cursor after a page whose answer carried the `next` fields, or `None` at the end.
pub fn after_page(res: &Resource, query: &ListQuery, cursor: &Cursor, next: Vec<(String, String)>) -> Option<Cursor> {
    if !next.is_empty() {
        return Some(Cursor { window: cursor.window, split_until: cursor.split_until, next });
    }
    let (w, (_, end), (_, last)) = (res.window?, cursor.window?, query.range?);
    if end >= last {
        return None;
    }
    let start = end + 1;
    Some(match cursor.split_until {
        Some(until) if start <= until => Cursor { window: Some(one_day(start, last)), split_until: Some(until), next: Vec::new() },
        _ => Cursor { window: Some(windows::window_at(start, last, w.max_days)), split_until: None, next: Vec::new() },
    })
}

/// `/schedules` answers 500 for some days when the window is wider than a day (a known server bug;
/// a one-day window is the known workaround). Returns the cursor that walks the rest of the failed
/// window one day at a time, or `None` when that does not apply.
pub fn after_server_error(res: &Resource, cursor: &Cursor) -> Option<Cursor> {
    let (from, to) = cursor.window?;
    if !res.split_on_500 || to - from < DAY {
        return None;
    }
    // With a date cursor every record before it was delivered: restart the day walk there.
    let start = cursor
        .next
        .iter()
        .find(|(k, _)| k == "next_start_date")
        .and_then(|(_, v)| windows::parse(v))
        .filter(|s| (from..=to).contains(s))
        .unwrap_or(from);
    Some(Cursor { window: Some(one_day(start, to)), split_until: Some(to), next: Vec::new() })
}

impl Cursor {
    /// The cursor as flat string pairs (what JavaScript sees).
    pub fn to_pairs(&self, res: &Resource) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let (Some(w), Some((from, to))) = (res.window, self.window) {
            out.push((w.from.to_string(), windows::format(from)));
            out.push((w.to.to_string(), windows::format(to)));
        }
        if let Some(until) = self.split_until {
            out.push((SPLIT_UNTIL.to_string(), windows::format(until)));
        }
        out.extend(self.next.iter().cloned());
        out
    }

    /// Reads a cursor given back by a caller.
    pub fn from_pairs(res: &Resource, pairs: &[(String, String)]) -> Result<Cursor> {
        let mut cursor = Cursor::default();
        let (mut from, mut to) = (None, None);
        for (key, value) in pairs {
            let field = || format!("cursor.{key}");
            let date = || windows::parse(value).ok_or_else(|| Error::invalid_input(field(), "is not a datetime"));
            match res.window {
                Some(w) if key == w.from => from = Some(date()?),
                Some(w) if key == w.to => to = Some(date()?),
                _ if key == SPLIT_UNTIL => cursor.split_until = Some(date()?),
                _ if key.starts_with("next_") => {
                    if !value.is_empty() {
                        cursor.next.push((key.clone(), value.clone()))
                    }
                }
                _ => return Err(Error::invalid_input(field(), format!("is not part of a {} cursor", res.name))),
            }
        }
        cursor.window = match (from, to) {
            (Some(f), Some(t)) if f <= t => Some((f, t)),
            (None, None) => None,
            _ => return Err(Error::invalid_input("cursor", "needs both window bounds, in order")),
        };
        Ok(cursor)
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every non-empty `next_*` field of an answer (strings and numbers, as text).
pub fn next_fields(body: &Map<String, Value>) -> Vec<(String, String)> {
    body.iter()
        .filter(|(k, _)| k.starts_with("next_"))
        .filter_map(|(k, v)| scalar_text(v).filter(|s| !s.is_empty()).map(|s| (k.clone(), s)))
        .collect()
}

/// Takes the item array out of an answer: the list key, else the first array field (the real list
/// keys of unconfirmed resources are unknown), else none.
pub fn take_items(body: &mut Map<String, Value>, list_key: &str) -> Vec<Value> {
    let key = match body.get(list_key) {
        Some(Value::Array(_)) => Some(list_key.to_string()),
        _ => body.iter().find(|(_, v)| v.is_array()).map(|(k, _)| k.clone()),
    };
    match key.and_then(|k| body.get_mut(&k)) {
        Some(Value::Array(items)) => std::mem::take(items),
        _ => Vec::new(),
    }
}

/// The value `created_at` should have when an object spells it `create_at` only.
pub fn missing_created_at(map: &Map<String, Value>) -> Option<&Value> {
    if map.contains_key("created_at") {
        None
    } else {
        map.get("create_at")
    }
}

/// Some answers spell the creation time `create_at`: every object (nested ones too, like the
/// `history` and `tracking` of a latest location) also gets `created_at`.
pub fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(v) = missing_created_at(map).cloned() {
                map.insert("created_at".into(), v);
            }
            map.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// Applies client-side filters (string comparison of the field's text).
pub fn keep(item: &Value, client_side: &[(String, String)]) -> bool {
    client_side.iter().all(|(k, want)| item.get(k).and_then(scalar_text).as_deref() == Some(want.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cyzen::paths::find;
    use crate::error::ErrorCode;
    use crate::json::json;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn echoes_every_next_field() {
        let body = map(json!({"reports": [], "next_report_id": "r9", "next_report_updated_at": "2024-01-01T00:00:00", "next_x": "", "next_y": null, "next_n": 12}));
        assert_eq!(next_fields(&body), pairs(&[("next_n", "12"), ("next_report_id", "r9"), ("next_report_updated_at", "2024-01-01T00:00:00")]));
        assert!(next_fields(&map(json!({"spots": [], "next_spot_id": ""}))).is_empty());
    }

    #[test]
    fn items_under_the_list_key_or_the_first_array() {
        let mut body = map(json!({"spots": [{"spot_id": "1"}], "next_spot_id": "2"}));
        assert_eq!(take_items(&mut body, "spots").len(), 1);
        let mut body = map(json!({"count": 1, "items": [1, 2]}));
        assert_eq!(take_items(&mut body, "spot_customers"), vec![json!(1), json!(2)]);
        assert!(take_items(&mut map(json!({})), "x").is_empty());
    }

    #[test]
    fn create_at_becomes_created_at_everywhere() {
        let mut v = json!({"create_at": "a", "history": {"create_at": "b"}, "list": [{"create_at": "c"}], "x": {"created_at": "d", "create_at": "e"}});
        normalise(&mut v);
        assert_eq!(v["created_at"], "a");
        assert_eq!(v["history"]["created_at"], "b");
        assert_eq!(v["list"][0]["created_at"], "c");
        assert_eq!(v["x"]["created_at"], "d");
    }

    #[test]
    fn filters_are_checked_before_sending() {
        let spots = find("spots").unwrap();
        let q = list_query(spots, &pairs(&[("spot_code", "S1"), ("spot_id", "x")]), 0).unwrap();
        assert_eq!(q.params, pairs(&[("spot_code", "S1"), ("spot_id", "x")]));
        let e = list_query(spots, &pairs(&[("spot_nam", "x")]), 0).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("filter.spot_nam")));
        let e = list_query(spots, &pairs(&[("updated_from", "2024-02-01"), ("updated_to", "2024-01-01")]), 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.updated_from"));
        let e = list_query(spots, &pairs(&[("updated_from", "soon")]), 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.updated_from"));
        let e = list_query(spots, &pairs(&[("next_spot_id", "x")]), 0).unwrap_err();
        assert!(e.message.contains("cursor"));
        let reports = find("reports").unwrap();
        let e = list_query(reports, &pairs(&[("from_date", "2024-01-01")]), 0).unwrap_err();
        assert!(e.message.contains("updated_from"), "{}", e.message);
        let q = list_query(reports, &pairs(&[("report_definition_id", "d1")]), 0).unwrap();
        assert!(q.params.is_empty());
        assert_eq!(q.client_side, pairs(&[("report_definition_id", "d1")]));
        let schedules = find("schedules").unwrap();
        let q = list_query(schedules, &pairs(&[("get_deleted", "true"), ("with_actual", "0")]), 0).unwrap();
        assert_eq!(q.params, pairs(&[("get_deleted", "1"), ("with_actual", "0")]));
        assert!(list_query(schedules, &pairs(&[("get_deleted", "yes")]), 0).is_err());
    }

    #[test]
    fn open_ranges() {
        let histories = find("histories").unwrap();
        let now = windows::parse("2024-03-01").unwrap();
        let q = list_query(histories, &pairs(&[("from_date", "2024-01-01")]), now).unwrap();
        assert_eq!(q.range, Some((windows::parse("2024-01-01").unwrap(), now)));
        let q = list_query(histories, &pairs(&[("to_date", "2024-03-01")]), 0).unwrap();
        assert_eq!(q.range, Some((now - 15 * DAY, now)));
        assert_eq!(list_query(histories, &[], now).unwrap().range, None);
    }

    #[test]
    fn walks_windows_then_cursors() {
        let spots = find("spots").unwrap();
        let q = list_query(spots, &pairs(&[("updated_from", "2024-01-01T00:00:00"), ("updated_to", "2024-01-20T00:00:00Z")]), 0).unwrap();
        let c0 = first_cursor(spots, &q);
        assert_eq!(
            page_params(spots, &q, &c0),
            pairs(&[("updated_from", "2024-01-01T00:00:00"), ("updated_to", "2024-01-08T00:00:00")])
        );
        let c1 = after_page(spots, &q, &c0, pairs(&[("next_spot_id", "s200")])).unwrap();
        assert_eq!(page_params(spots, &q, &c1).last().unwrap(), &("next_spot_id".to_string(), "s200".to_string()));
        let c2 = after_page(spots, &q, &c1, vec![]).unwrap();
        assert_eq!(page_params(spots, &q, &c2), pairs(&[("updated_from", "2024-01-08T00:00:01"), ("updated_to", "2024-01-15T00:00:01")]));
        let c3 = after_page(spots, &q, &c2, vec![]).unwrap();
        assert_eq!(c3.window.unwrap().1, windows::parse("2024-01-20").unwrap());
        assert_eq!(after_page(spots, &q, &c3, vec![]), None);
        // Without a window: the cursor alone.
        let users = find("users").unwrap();
        let q = list_query(users, &[], 0).unwrap();
        let c = first_cursor(users, &q);
        assert_eq!(after_page(users, &q, &c, vec![]), None);
    }

    #[test]
    fn cursors_round_trip_through_pairs() {
        let reports = find("reports").unwrap();
        let c = Cursor {
            window: Some((windows::parse("2024-01-01").unwrap(), windows::parse("2024-01-08").unwrap())),
            split_until: None,
            next: pairs(&[("next_report_id", "r1"), ("next_report_updated_at", "2024-01-02T03:04:05")]),
        };
        let p = c.to_pairs(reports);
        assert_eq!(p[0], ("updated_from".to_string(), "2024-01-01T00:00:00".to_string()));
        assert_eq!(Cursor::from_pairs(reports, &p).unwrap(), c);
        assert!(Cursor::from_pairs(reports, &pairs(&[("spot_id", "x")])).is_err());
        assert!(Cursor::from_pairs(reports, &pairs(&[("updated_from", "2024-01-01")])).is_err());
        assert_eq!(Cursor::from_pairs(reports, &[]).unwrap(), Cursor::default());
    }

    #[test]
    fn schedules_500_walks_the_failed_window_day_by_day() {
        let schedules = find("schedules").unwrap();
        let from = windows::parse("2024-01-01").unwrap();
        let q = list_query(schedules, &pairs(&[("from_date", "2024-01-01"), ("to_date", "2024-01-20")]), 0).unwrap();
        let c0 = first_cursor(schedules, &q);
        assert_eq!(c0.window, Some((from, from + 7 * DAY)));
        let day = after_server_error(schedules, &c0).unwrap();
        assert_eq!(day.window, Some((from, from + DAY - 1)));
        assert_eq!(after_server_error(schedules, &day), None, "a one-day window is not split again");
        // Walk: one-day windows until past the failed window, then 7-day windows again.
        let mut c = day;
        let mut spans = vec![];
        while let Some(next) = after_page(schedules, &q, &c, vec![]) {
            spans.push(next.window.unwrap().1 - next.window.unwrap().0);
            c = next;
        }
        assert_eq!(&spans[..7], &[DAY - 1; 7]);
        assert_eq!(spans[7], 7 * DAY);
        // With a date cursor, the day walk starts at the cursor.
        let mid = Cursor { next: pairs(&[("next_start_date", "2024-01-03T10:00:00")]), ..c0.clone() };
        let day = after_server_error(schedules, &mid).unwrap();
        assert_eq!(day.window.unwrap().0, windows::parse("2024-01-03T10:00:00").unwrap());
        assert!(after_server_error(find("spots").unwrap(), &c0).is_none());
    }

    #[test]
    fn client_side_filter() {
        let f = pairs(&[("report_definition_id", "d1")]);
        assert!(keep(&json!({"report_definition_id": "d1"}), &f));
        assert!(!keep(&json!({"report_definition_id": "d2"}), &f));
        assert!(keep(&json!({"report_definition_id": 5}), &pairs(&[("report_definition_id", "5")])));
    }
}
