//! CORS for browser pages on any origin and for Workers: every origin, method and request header
//! (mirrored, because `*` does not cover `Authorization`), `Retry-After` exposed, preflights answered.

use std::time::Duration;

use axum::http::HeaderName;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

/// Response headers a page may read besides the CORS-safelisted ones.
pub const EXPOSED_HEADERS: &[&str] = &["retry-after", "content-length", "x-sandbox-request-id"];

/// The CORS layer wrapped around everything.
pub fn layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(EXPOSED_HEADERS.iter().map(|h| HeaderName::from_static(h)).collect::<Vec<_>>())
        // Chrome's Private Network Access: public pages calling 127.0.0.1.
        .allow_private_network(true)
        .max_age(Duration::from_secs(600))
}
