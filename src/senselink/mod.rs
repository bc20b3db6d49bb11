//! SenseLink Open Platform API: signing, input validation, request planning, envelope decoding and
//! error mapping, the signing proxy's decisions and the push-event reader — all plain Rust.
//!
//! Every operation is one row of [`operations::OPERATIONS`]. One call goes [`plan::plan`] (validate
//! the input against the row's rules, build method/path/query/body) → [`client::Client::request`]
//! (sign with a fresh millisecond timestamp) → the [`crate::runtime::Runtime`] →
//! [`client::Client::finish`] (read the `{code, message, desc, data}` envelope, map errors, hand
//! `data` back as the engine's own value).

#[allow(unused_imports)]
use crate::prelude::*;

pub mod client;
pub mod envelope;
pub mod events;
pub mod import;
pub mod operations;
pub mod photo;
pub mod plan;
pub mod proxy;
pub mod rules;
pub mod shapes;
pub mod sign;

pub use client::{Client, Config};

/// Which SenseLink product answers: it decides required employee fields, the list filters, and the
/// records / face-quality endpoint versions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Edition {
    /// SenseLink Cloud (`https://link.japancv.co.jp`): v5 records, v3 quality, plan person limit.
    #[default]
    Cloud,
    /// SenseLink GE Enterprise / Pro (on-premise): stricter employee fields, v3 records, v1 quality.
    Enterprise,
}

impl Edition {
    /// `"cloud"` or `"enterprise"`.
    pub fn parse(name: &str) -> Option<Edition> {
        match name {
            "cloud" => Some(Edition::Cloud),
            "enterprise" => Some(Edition::Enterprise),
            _ => None,
        }
    }
}
