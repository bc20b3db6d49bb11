//! Event push: the sandbox POSTs `{eventType, messageId, sendTime, data}` to the subscriber URL.
//! Real rule: the subscriber must answer HTTP 200 within 5 s; one failure marks the subscription
//! abnormal and stops every further push until it is re-enabled.

use serde::Serialize;
use serde_json::{json, Value};

use super::store::{Record, TYPE_DENY_LIST};
use crate::common::platform::{self, PushOutcome};
use super::views;
use super::SenseLink;

/// Subscription health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    Normal,
    Abnormal,
}

/// The one subscription of the tenant.
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub url: Option<String>,
    pub status: SubscriptionStatus,
    /// How long the subscriber may take to answer (5000 ms like the real service).
    pub timeout_ms: u64,
    pub delivered: u64,
    pub failed: u64,
    pub last_error: Option<String>,
    pub last_message_id: Option<String>,
}

impl Subscription {
    /// A normal subscription to `url` (or none).
    pub fn new(url: Option<String>, timeout_ms: u64) -> Self {
        Subscription {
            url,
            status: SubscriptionStatus::Normal,
            timeout_ms,
            delivered: 0,
            failed: 0,
            last_error: None,
            last_message_id: None,
        }
    }
}

/// Event types the sandbox can push.
pub const EVENT_RECOGNITION: &str = "30000";
pub const EVENT_DEVICE_ALERT: &str = "30100";

/// Default `data` of a recognition event: a new record of a seeded person, stored like a real one.
fn recognition_data(sl: &SenseLink, origin: &str) -> Value {
    let now = sl.clock().now_secs();
    let mut store = sl.store();
    let candidates: Vec<i64> = store.persons.values().filter(|p| p.kind != TYPE_DENY_LIST).map(|p| p.id).collect();
    let person_id = candidates[store.rng.below(candidates.len() as u64) as usize];
    let person = store.persons[&person_id].clone();
    let id = store.next_record_id;
    store.next_record_id += 1;
    let device_id = store.devices[0].id;
    let record = Record {
        id,
        user_id: person.id,
        name: person.name.clone(),
        kind: person.kind,
        sign_time: now,
        device_id,
        direction: 1,
        verify_score: 0.93,
        mask: 0,
        job_number: person.job_number.clone().unwrap_or_default(),
        ic_number: person.ic_number.clone().unwrap_or_default(),
    };
    let value = views::record(&store, &record, origin);
    store.records.push(record);
    value
}

fn device_alert_data(sl: &SenseLink) -> Value {
    let store = sl.store();
    let device = &store.devices[0];
    json!({
        "device_id": device.id,
        "device_name": device.name,
        "device_ldid": device.ldid,
        "alert_type": 1,
        "alert_message": "デバイスがオフラインになりました",
        "alert_time": sl.clock().now_secs(),
    })
}

/// Sends one event and reports what happened (the body of `POST /__admin/senselink/push`).
pub async fn push_event(sl: &SenseLink, event_type: &str, data: Option<Value>, origin: &str) -> Value {
    let subscription = sl.subscription();
    let Some(url) = subscription.url.clone() else {
        return json!({"result": "no_subscription", "sent": false, "subscription": subscription});
    };
    if subscription.status == SubscriptionStatus::Abnormal {
        return json!({"result": "subscription_abnormal", "sent": false, "subscription": subscription});
    }
    let data = match data {
        Some(data) => data,
        None if event_type == EVENT_RECOGNITION => recognition_data(sl, origin),
        None => device_alert_data(sl),
    };
    let message_id = sl.store().rng.hex(32);
    let event = json!({
        "eventType": event_type,
        "messageId": message_id,
        "sendTime": sl.clock().now_ms(),
        "data": data,
    });

    let outcome = platform::post_json(url, event.to_string(), subscription.timeout_ms).await;
    let failure = match &outcome {
        PushOutcome::Answered(200) => None,
        PushOutcome::Answered(status) => Some(format!("subscriber answered HTTP {status} (200 required)")),
        PushOutcome::TimedOut => Some(format!("no answer within {} ms", subscription.timeout_ms)),
        PushOutcome::Failed(e) => Some(format!("delivery error: {e}")),
    };
    let http_status = match outcome {
        PushOutcome::Answered(status) => Some(status),
        _ => None,
    };
    let updated = sl.update_subscription(|s| {
        s.last_message_id = Some(message_id.clone());
        match &failure {
            None => s.delivered += 1,
            Some(error) => {
                s.failed += 1;
                s.status = SubscriptionStatus::Abnormal;
                s.last_error = Some(error.clone());
            }
        }
    });
    json!({
        "result": if failure.is_none() { "delivered" } else { "failed" },
        "sent": true,
        "messageId": message_id,
        "http_status": http_status,
        "error": failure,
        "event": event,
        "subscription": updated,
    })
}
