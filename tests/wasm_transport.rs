//! The fetch transport in real runtimes: Node, a headless Chromium page and a Chromium dedicated
//! worker (selected by the wasm-bindgen test runner's environment variables; see the Makefile).
//! Every test talks to `tests/support/echo-server.mjs`, whose URL is baked in at compile time
//! through `CSL_ECHO_URL`.
#![cfg(target_arch = "wasm32")]

use cyzen_senselink::error::ErrorCode;
use cyzen_senselink::fetch::FetchRuntime;
use cyzen_senselink::http::{BlobHandle, Body, FileData, FilePart, Method, Part, Request, ResponseKind};
use cyzen_senselink::runtime::Runtime;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn server() -> String {
    option_env!("CSL_ECHO_URL").expect("build the tests with CSL_ECHO_URL set to the echo server").to_string()
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

async fn echo(request: Request) -> JsValue {
    let response = FetchRuntime::default().send(request).await.expect("echo request");
    assert_eq!(response.status, 200, "{}", response.text());
    js_sys::JSON::parse(&response.text()).unwrap()
}

fn all_bytes() -> Vec<u8> {
    (0..=255u8).chain((0..=255u8).rev()).collect()
}

#[wasm_bindgen_test]
fn signs_the_documented_vector() {
    assert_eq!(cyzen_senselink::senselink::sign::sign("1477881215000", "2323dsfadfewrasa3434"), "e5ef72ef839bdf5397b4906b199b9fbf");
}

#[wasm_bindgen_test]
async fn multipart_arrives_byte_for_byte_from_bytes_and_from_a_blob() {
    let bytes = all_bytes();
    let blob = web_sys::Blob::new_with_u8_array_sequence(&Array::of1(&Uint8Array::from(bytes.as_slice()))).unwrap();
    let handle = BlobHandle::new(blob, bytes.len() as u64, "image/png");
    let request = Request::new(Method::Post, format!("{}/echo", server())).query("q", "東京 1+1").body(Body::Multipart(vec![
        Part::text("name", "佐藤 太郎"),
        Part::file("fromBytes", FilePart { filename: "a.jpg".into(), content_type: "image/jpeg".into(), data: FileData::Bytes(bytes.clone()) }),
        Part::file("fromBlob", FilePart { filename: "顔.png".into(), content_type: "image/png".into(), data: FileData::Blob(handle) }),
    ]));
    let echoed = echo(request).await;
    assert!(prop(&echoed, "contentType").as_string().unwrap().starts_with("multipart/form-data; boundary="));
    let query = Array::from(&prop(&echoed, "query"));
    assert_eq!(Array::from(&query.get(0)).get(1).as_string().unwrap(), "東京 1+1");
    let parts = Array::from(&prop(&echoed, "multipart"));
    assert_eq!(parts.length(), 3);
    assert_eq!(prop(&parts.get(0), "value").as_string().unwrap(), "佐藤 太郎");
    let expected_b64 = base64(&bytes);
    for (index, filename, content_type) in [(1, "a.jpg", "image/jpeg"), (2, "顔.png", "image/png")] {
        let part = parts.get(index);
        assert_eq!(prop(&part, "filename").as_string().unwrap(), filename);
        assert_eq!(prop(&part, "type").as_string().unwrap(), content_type);
        assert_eq!(prop(&part, "size").as_f64().unwrap() as usize, bytes.len());
        assert_eq!(prop(&part, "base64").as_string().unwrap(), expected_b64);
    }
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[wasm_bindgen_test]
async fn form_and_json_bodies_carry_their_content_types() {
    let form = echo(Request::new(Method::Put, format!("{}/echo", server()))
        .body(Body::Form(vec![("groups".into(), "1,2".into()), ("name".into(), "山田 花子".into())]))).await;
    assert!(prop(&form, "contentType").as_string().unwrap().starts_with("application/x-www-form-urlencoded"));
    let pairs = Array::from(&prop(&form, "form"));
    assert_eq!(Array::from(&pairs.get(0)).get(1).as_string().unwrap(), "1,2");
    assert_eq!(Array::from(&pairs.get(1)).get(1).as_string().unwrap(), "山田 花子");

    let json = echo(Request::new(Method::Post, format!("{}/echo", server())).body(Body::Json(r#"{"userId":7,"groupIds":[1,2]}"#.into()))).await;
    assert_eq!(prop(&prop(&json, "json"), "userId").as_f64(), Some(7.0));
    assert_eq!(prop(&json, "method").as_string().unwrap(), "POST");
}

#[wasm_bindgen_test]
async fn times_out_with_a_typed_error() {
    let runtime = FetchRuntime { timeout_ms: Some(100), ..FetchRuntime::default() };
    let error = runtime.send(Request::new(Method::Get, format!("{}/slow?ms=5000&id=timeout", server()))).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout, "{error}");
}

#[wasm_bindgen_test]
async fn the_callers_signal_aborts_the_call() {
    let controller = web_sys::AbortController::new().unwrap();
    let runtime = FetchRuntime { signal: Some(controller.signal()), ..FetchRuntime::default() };
    let pending = runtime.send(Request::new(Method::Get, format!("{}/slow?ms=5000&id=signal", server())));
    let abort_soon = async {
        FetchRuntime::default().sleep(50).await.unwrap();
        controller.abort();
    };
    let (result, ()) = futures_util::future::join(pending, abort_soon).await;
    assert_eq!(result.unwrap_err().code, ErrorCode::Aborted);
    // A sleep under an aborted signal fails at once.
    assert_eq!(runtime.sleep(10_000).await.unwrap_err().code, ErrorCode::Aborted);
}

#[wasm_bindgen_test]
async fn dropping_the_future_aborts_the_request() {
    let id = format!("drop-{}", js_sys::Math::random());
    let runtime = FetchRuntime::default();
    {
        let pending = Box::pin(runtime.send(Request::new(Method::Get, format!("{}/slow?ms=5000&id={id}", server()))));
        let timer = Box::pin(runtime.sleep(200));
        match futures_util::future::select(pending, timer).await {
            futures_util::future::Either::Right(_) => {} // the request future is dropped here
            futures_util::future::Either::Left(_) => panic!("the slow request answered early"),
        }
    }
    let mut outcome = String::new();
    for _ in 0..50 {
        runtime.sleep(100).await.unwrap();
        let answer = echo_get(&format!("{}/slow-outcome?id={id}", server())).await;
        outcome = prop(&answer, "outcome").as_string().unwrap();
        if outcome != "pending" {
            break;
        }
    }
    assert_eq!(outcome, "aborted");
}

async fn echo_get(url: &str) -> JsValue {
    let response = FetchRuntime::default().send(Request::new(Method::Get, url)).await.unwrap();
    js_sys::JSON::parse(&response.text()).unwrap()
}

#[wasm_bindgen_test]
async fn a_refused_connection_is_a_network_error() {
    let error = FetchRuntime::default().send(Request::new(Method::Get, "http://127.0.0.1:9/")).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Network, "{error}");
    let cause = error.cause.clone().expect("keeps the JavaScript error as its cause");
    assert!(cause.0.downcast_ref::<JsValue>().is_some());
}

#[wasm_bindgen_test]
async fn redirects_are_not_followed() {
    let response = FetchRuntime::default().send(Request::new(Method::Get, format!("{}/redirect", server()))).await.unwrap();
    // Node exposes the 302; browsers hide it behind an opaque-redirect response (status 0).
    assert!(response.status == 302 || response.status == 0, "status {}", response.status);
}

#[wasm_bindgen_test]
async fn statuses_and_headers_are_passed_through() {
    let response = FetchRuntime::default()
        .send(Request::new(Method::Get, format!("{}/status/503?retry-after=7&body=busy", server())))
        .await
        .unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(response.header("Retry-After"), Some("7"));
    assert_eq!(response.text(), "busy");
}

#[wasm_bindgen_test]
async fn a_blob_response_stays_outside_wasm_memory() {
    let mut request = Request::new(Method::Get, format!("{}/bytes", server()));
    request.response_kind = ResponseKind::Blob;
    let response = FetchRuntime::default().send(request).await.unwrap();
    assert!(response.body.is_empty());
    let blob = response.blob.expect("a blob handle");
    assert_eq!(blob.size(), 256);
    assert!(blob.downcast_ref::<web_sys::Blob>().unwrap().dyn_ref::<web_sys::Blob>().is_some());
}
