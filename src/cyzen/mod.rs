//! cyzen integration API: OAuth 2.0 and static tokens, paced and paginated access to every object.
//!
//! Plain Rust, no I/O of its own (everything goes through [`crate::runtime::Runtime`]):
//! - [`paths`]: THE table of resources (paths, list and id keys, operations, cursors, windows, filters);
//! - [`oauth`]: PKCE S256, `state`, token requests and answers, the single-flight refresh;
//! - [`cookie`]: the HMAC-signed PKCE cookie for Workers without a shared store;
//! - [`store`]: the key/value interface tokens and pending authorizations live in;
//! - [`pacing`]: the sliding-window limiter and the in-flight cap;
//! - [`retry`]: which failures are retried and after how long;
//! - [`paging`]: filters, cursors (every `next_*` field echoed), date windows walked page by page;
//! - [`windows`]: UTC datetimes and the splitting of long ranges;
//! - [`errors`]: `errors[]` on any status and the typed errors;
//! - [`client`]: the client tying them together.

pub mod client;
pub mod cookie;
pub mod errors;
pub mod oauth;
pub mod pacing;
pub mod paging;
pub mod paths;
pub mod proxy;
pub mod retry;
pub mod store;
pub mod windows;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use client::{Auth, Client, ClientConfig, Page, Route};
pub use oauth::{OAuth, OAuthConfig, TokenSet};
pub use store::{MemoryStore, Store};
