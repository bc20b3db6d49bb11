//! cyzen integration API: OAuth 2.0 and static tokens, paced and paginated access to every object.
//!
//! Plain Rust, no I/O of its own (everything goes through [`crate::runtime::Runtime`]):
//! - [`resources`]: THE table of resources (paths, list and id keys, operations, cursors, windows,
//!   filters), from which the TypeScript wrapper, the proxy's allow-list and `docs/cyzen-paths.md`
//!   are derived;
//! - [`oauth`]: PKCE S256, `state`, token requests and answers, the single-flight refresh (tokens
//!   and pending authorizations live in the caller's store, reached through the runtime);
//! - [`cookie`]: the HMAC-signed PKCE cookie for Workers without a shared store;
//! - [`pacing`]: the sliding-window limiter and the in-flight cap;
//! - [`retry`]: which failures are retried and after how long;
//! - [`paging`]: filters, cursors (every `next_*` field echoed), date windows walked page by page;
//! - [`windows`]: UTC datetimes and the splitting of long ranges;
//! - [`errors`]: `errors[]` on any status and the typed errors;
//! - [`client`]: the client tying them together.

#[allow(unused_imports)]
use crate::prelude::*;

pub mod client;
pub mod cookie;
pub mod errors;
pub mod oauth;
pub mod pacing;
pub mod paging;
pub mod proxy;
pub mod resources;
pub mod windows;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use client::{Auth, Client, ClientConfig, Page, Route};
pub use oauth::{OAuth, OAuthConfig, TokenSet};
