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
//!
//! Filters and cursors are read from the caller's own objects, and answers from the engine's parsed
//! object; the items themselves are never read (except by a client-side filter).

#[allow(unused_imports)]
use crate::prelude::*;

use super::resources::{Filter, Resource};
use super::windows::{self, DAY};
use crate::doc::{scalar_text, Doc, Kind};
use crate::error::{Error, ErrorCode, Result};

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

fn flag<D: Doc>(name: &str, value: &D) -> Result<String> {
    let text = match value.kind() {
        Kind::Bool => value.boolean().map(|b| if b { "1" } else { "0" }.to_string()),
        _ => scalar_text(value),
    };
    match text.as_deref() {
        Some("true" | "1") => Ok("1".into()),
        Some("false" | "0") => Ok("0".into()),
        _ => Err(Error::invalid_input(format!("filter.{name}"), "must be a boolean")),
    }
}

/// A datetime a caller gives: a `Date`, or text [`windows::parse`] reads.
pub fn datetime_of<D: Doc>(value: &D) -> Option<i64> {
    match value.kind() {
        Kind::Date => value.number().filter(|ms| ms.is_finite()).map(|ms| libm::floor(ms / 1000.0) as i64),
        Kind::Text => windows::parse(&value.text()?),
        _ => None,
    }
}

/// Checks a caller's filter object against the table and converts it. Unknown names, `next_*` names
/// (use `cursor`), parameters the server would silently ignore, unparseable dates and inverted
/// ranges are refused before anything is sent; `undefined` and `null` values mean "not given".
/// `now_s` bounds an open-ended range.
pub fn list_query<D: Doc>(res: &Resource, filter: &D, now_s: i64) -> Result<ListQuery> {
    let mut query = ListQuery::default();
    let mut from = None;
    let mut to = None;
    if !matches!(filter.kind(), Kind::Object | Kind::Absent | Kind::Null) {
        return Err(Error::invalid_input("filter", "must be an object"));
    }
    for name in filter.keys() {
        let Some(value) = filter.given(&name) else { continue };
        let field = || format!("filter.{name}");
        if let Some(window) = res.window {
            if name == window.from || name == window.to {
                let at = datetime_of(&value).ok_or_else(|| {
                    Error::invalid_input(
                        field(),
                        "must be a Date or a datetime (YYYY-MM-DDThh:mm:ss UTC, or ISO 8601 with an offset)",
                    )
                })?;
                if name == window.from {
                    from = Some(at);
                } else {
                    to = Some(at);
                }
                continue;
            }
        }
        if let Some((_, instead)) = res.ignored.iter().find(|(n, _)| *n == name) {
            return Err(Error::invalid_input(
                field(),
                format!("is ignored by the server on {}; use {instead}", res.name),
            ));
        }
        if name.starts_with("next_") {
            return Err(Error::invalid_input(field(), "is a cursor field; pass the cursor with the `cursor` option"));
        }
        let text = || {
            scalar_text(&value).ok_or_else(|| Error::invalid_input(field(), "must be a string, a number or a boolean"))
        };
        match res.filter_kind(&name) {
            Some(Filter::Text) => query.params.push((name.clone(), text()?)),
            Some(Filter::Flag) => query.params.push((name.clone(), flag(&name, &value)?)),
            Some(Filter::ClientSide) => query.client_side.push((name.clone(), text()?)),
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
            (None, Some(t)) => Some((t.saturating_sub(i64::from(window.max_days) * DAY), t)),
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

/// The cursor after a page whose answer carried the `next` fields, or `None` at the end. An answer
/// that repeats the cursor it was asked with would make the walk loop forever: that is a `DECODE`
/// error carrying the cursor.
pub fn after_page(
    res: &Resource,
    query: &ListQuery,
    cursor: &Cursor,
    next: Vec<(String, String)>,
) -> Result<Option<Cursor>> {
    if !next.is_empty() {
        if next == cursor.next {
            let shown: Vec<String> = next.iter().map(|(k, v)| format!("{k}={v}")).collect();
            return Err(Error::new(
                ErrorCode::Decode,
                format!(
                    "cyzen answered {} with the cursor it was asked for ({}): the walk would not end; stopped",
                    res.name,
                    shown.join(", ")
                ),
            ));
        }
        return Ok(Some(Cursor { window: cursor.window, split_until: cursor.split_until, next }));
    }
    let (Some(w), Some((_, end)), Some((_, last))) = (res.window, cursor.window, query.range) else {
        return Ok(None);
    };
    if end >= last {
        return Ok(None);
    }
    let start = end + 1;
    Ok(Some(match cursor.split_until {
        Some(until) if start <= until => {
            Cursor { window: Some(one_day(start, last)), split_until: Some(until), next: Vec::new() }
        }
        _ => Cursor { window: Some(windows::window_at(start, last, w.max_days)), split_until: None, next: Vec::new() },
    }))
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

    /// Reads a cursor given back by a caller (`page.next` or `error.cursor`: an object of strings).
    pub fn from_doc<D: Doc>(res: &Resource, cursor: &D) -> Result<Cursor> {
        if cursor.kind() != Kind::Object {
            return Err(Error::invalid_input("cursor", "must be an object (a page's next or an error's cursor)"));
        }
        let mut out = Cursor::default();
        let (mut from, mut to) = (None, None);
        for key in cursor.keys() {
            let field = || format!("cursor.{key}");
            let value = cursor
                .get(&key)
                .and_then(|v| scalar_text(&v))
                .ok_or_else(|| Error::invalid_input(field(), "must be a string"))?;
            let date = || windows::parse(&value).ok_or_else(|| Error::invalid_input(field(), "is not a datetime"));
            match res.window {
                Some(w) if key == w.from => from = Some(date()?),
                Some(w) if key == w.to => to = Some(date()?),
                _ if key == SPLIT_UNTIL => out.split_until = Some(date()?),
                _ if key.starts_with("next_") => {
                    if !value.is_empty() {
                        out.next.push((key.clone(), value))
                    }
                }
                _ => return Err(Error::invalid_input(field(), format!("is not part of a {} cursor", res.name))),
            }
        }
        out.window = match (from, to) {
            (Some(f), Some(t)) if f <= t => Some((f, t)),
            (None, None) => None,
            _ => return Err(Error::invalid_input("cursor", "needs both window bounds, in order")),
        };
        Ok(out)
    }
}

/// Every non-empty `next_*` field of an answer (strings and numbers, as text), in the answer's order.
pub fn next_fields<D: Doc>(body: &D) -> Vec<(String, String)> {
    body.keys()
        .into_iter()
        .filter(|k| k.starts_with("next_"))
        .filter_map(|k| {
            let value = body.get(&k).filter(|v| matches!(v.kind(), Kind::Text | Kind::Number))?;
            let text = scalar_text(&value).filter(|s| !s.is_empty())?;
            Some((k, text))
        })
        .collect()
}

/// The item array of an answer: under the list key, else the first array member (the real list
/// keys of unconfirmed resources are unknown), else none.
pub fn items<D: Doc>(body: &D, list_key: &str) -> Option<D> {
    if let Some(items) = body.get(list_key).filter(|v| v.kind() == Kind::Array) {
        return Some(items);
    }
    body.keys().iter().find_map(|k| body.get(k).filter(|v| v.kind() == Kind::Array))
}

/// Whether an item passes the client-side filters (string comparison of the field's text).
pub fn keep<D: Doc>(item: &D, client_side: &[(String, String)]) -> bool {
    client_side.iter().all(|(k, want)| item.get(k).and_then(|v| scalar_text(&v)).as_deref() == Some(want.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cyzen::resources::find;
    use serde_json::{json, Value};

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn filter(items: &[(&str, &str)]) -> Value {
        Value::Object(items.iter().map(|(a, b)| (a.to_string(), json!(b))).collect())
    }

    #[test]
    fn echoes_every_next_field() {
        let body = json!({"reports": [], "next_report_id": "r9", "next_report_updated_at": "2024-01-01T00:00:00", "next_x": "", "next_y": null, "next_n": 12});
        // In the answer's own order.
        assert_eq!(
            next_fields(&body),
            pairs(&[("next_report_id", "r9"), ("next_report_updated_at", "2024-01-01T00:00:00"), ("next_n", "12")])
        );
        assert!(next_fields(&json!({"spots": [], "next_spot_id": ""})).is_empty());
    }

    #[test]
    fn items_under_the_list_key_or_the_first_array() {
        assert_eq!(items(&json!({"spots": [{"spot_id": "1"}], "next_spot_id": "2"}), "spots").unwrap().len(), 1);
        assert_eq!(items(&json!({"count": 1, "items": [1, 2]}), "spot_customers"), Some(json!([1, 2])));
        assert!(items(&json!({}), "x").is_none());
    }

    #[test]
    fn filters_are_checked_before_sending() {
        let spots = find("spots").unwrap();
        let q = list_query(spots, &filter(&[("spot_code", "S1"), ("spot_id", "x")]), 0).unwrap();
        assert_eq!(q.params, pairs(&[("spot_code", "S1"), ("spot_id", "x")]));
        let e = list_query(spots, &filter(&[("spot_nam", "x")]), 0).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidInput, Some("filter.spot_nam")));
        let e =
            list_query(spots, &filter(&[("updated_from", "2024-02-01"), ("updated_to", "2024-01-01")]), 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.updated_from"));
        let e = list_query(spots, &filter(&[("updated_from", "soon")]), 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.updated_from"));
        let e = list_query(spots, &filter(&[("next_spot_id", "x")]), 0).unwrap_err();
        assert!(e.message.contains("cursor"));
        let reports = find("reports").unwrap();
        let e = list_query(reports, &filter(&[("from_date", "2024-01-01")]), 0).unwrap_err();
        assert!(e.message.contains("updated_from"), "{}", e.message);
        let q = list_query(reports, &filter(&[("report_definition_id", "d1")]), 0).unwrap();
        assert!(q.params.is_empty());
        assert_eq!(q.client_side, pairs(&[("report_definition_id", "d1")]));
        let schedules = find("schedules").unwrap();
        let q = list_query(schedules, &json!({"get_deleted": true, "with_actual": "0", "skipped": null}), 0).unwrap();
        assert_eq!(q.params, pairs(&[("get_deleted", "1"), ("with_actual", "0")]));
        assert!(list_query(schedules, &filter(&[("get_deleted", "yes")]), 0).is_err());
        assert!(list_query(spots, &json!({"spot_code": {"a": 1}}), 0).is_err());
        assert!(list_query(spots, &json!([1]), 0).is_err());
        // A full-width date typed with an IME is refused, not a panic.
        let e = list_query(spots, &filter(&[("updated_from", "２０２４-04-01T00:00:00")]), 0).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("filter.updated_from"));
    }

    #[test]
    fn open_ranges() {
        let histories = find("histories").unwrap();
        let now = windows::parse("2024-03-01").unwrap();
        let q = list_query(histories, &filter(&[("from_date", "2024-01-01")]), now).unwrap();
        assert_eq!(q.range, Some((windows::parse("2024-01-01").unwrap(), now)));
        let q = list_query(histories, &filter(&[("to_date", "2024-03-01")]), 0).unwrap();
        assert_eq!(q.range, Some((now - 15 * DAY, now)));
        assert_eq!(list_query(histories, &json!({}), now).unwrap().range, None);
    }

    #[test]
    fn walks_windows_then_cursors() {
        let spots = find("spots").unwrap();
        let q = list_query(
            spots,
            &filter(&[("updated_from", "2024-01-01T00:00:00"), ("updated_to", "2024-01-20T00:00:00Z")]),
            0,
        )
        .unwrap();
        let c0 = first_cursor(spots, &q);
        assert_eq!(
            page_params(spots, &q, &c0),
            pairs(&[("updated_from", "2024-01-01T00:00:00"), ("updated_to", "2024-01-08T00:00:00")])
        );
        let c1 = after_page(spots, &q, &c0, pairs(&[("next_spot_id", "s200")])).unwrap().unwrap();
        assert_eq!(page_params(spots, &q, &c1).last().unwrap(), &("next_spot_id".to_string(), "s200".to_string()));
        let c2 = after_page(spots, &q, &c1, vec![]).unwrap().unwrap();
        let e = after_page(spots, &q, &c1, pairs(&[("next_spot_id", "s200")])).unwrap_err();
        assert!(e.message.contains("next_spot_id=s200"), "{}", e.message);
        assert_eq!(
            page_params(spots, &q, &c2),
            pairs(&[("updated_from", "2024-01-08T00:00:01"), ("updated_to", "2024-01-15T00:00:01")])
        );
        let c3 = after_page(spots, &q, &c2, vec![]).unwrap().unwrap();
        assert_eq!(c3.window.unwrap().1, windows::parse("2024-01-20").unwrap());
        assert_eq!(after_page(spots, &q, &c3, vec![]).unwrap(), None);
        // Without a window: the cursor alone.
        let users = find("users").unwrap();
        let q = list_query(users, &json!({}), 0).unwrap();
        let c = first_cursor(users, &q);
        assert_eq!(after_page(users, &q, &c, vec![]).unwrap(), None);
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
        let as_doc = |p: &[(String, String)]| Value::Object(p.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
        assert_eq!(Cursor::from_doc(reports, &as_doc(&p)).unwrap(), c);
        assert!(Cursor::from_doc(reports, &filter(&[("spot_id", "x")])).is_err());
        assert!(Cursor::from_doc(reports, &filter(&[("updated_from", "2024-01-01")])).is_err());
        assert!(Cursor::from_doc(reports, &filter(&[("updated_from", "2024-0１-01"), ("updated_to", "2024-01-02")]))
            .is_err());
        assert_eq!(Cursor::from_doc(reports, &json!({})).unwrap(), Cursor::default());
        assert!(Cursor::from_doc(reports, &json!("x")).is_err());
    }

    #[test]
    fn schedules_500_walks_the_failed_window_day_by_day() {
        let schedules = find("schedules").unwrap();
        let from = windows::parse("2024-01-01").unwrap();
        let q = list_query(schedules, &filter(&[("from_date", "2024-01-01"), ("to_date", "2024-01-20")]), 0).unwrap();
        let c0 = first_cursor(schedules, &q);
        assert_eq!(c0.window, Some((from, from + 7 * DAY)));
        let day = after_server_error(schedules, &c0).unwrap();
        assert_eq!(day.window, Some((from, from + DAY - 1)));
        assert_eq!(after_server_error(schedules, &day), None, "a one-day window is not split again");
        // Walk: one-day windows until past the failed window, then 7-day windows again.
        let mut c = day;
        let mut spans = vec![];
        while let Some(next) = after_page(schedules, &q, &c, vec![]).unwrap() {
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
