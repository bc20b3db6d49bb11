//! Where OAuth state lives between calls: the token set, and the PKCE verifier of each pending
//! authorization (keyed by its `state`). A store is a two-method key/value interface; JavaScript
//! callers pass `memoryStore()`, `sessionStorageStore()` or their own (Workers KV, a database).
//!
//! Keys are `<prefix>:tokens` and `<prefix>:pkce:<state>`; values are short JSON strings.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use crate::error::Result;

/// Asynchronous key/value storage for tokens and pending authorizations.
pub trait Store {
    /// The value under `key`, if any.
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<String>>>;
    /// Stores `value` under `key` (`None` deletes it).
    fn save(&self, key: &str, value: Option<&str>) -> impl Future<Output = Result<()>>;
}

/// A store in memory (tests, and Rust callers).
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: RefCell<BTreeMap<String, String>>,
}

impl MemoryStore {
    /// The current value under `key` (synchronous, for tests).
    pub fn get(&self, key: &str) -> Option<String> {
        self.values.borrow().get(key).cloned()
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.values.borrow().len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.values.borrow().is_empty()
    }
}

impl Store for MemoryStore {
    async fn load(&self, key: &str) -> Result<Option<String>> {
        Ok(self.get(key))
    }

    async fn save(&self, key: &str, value: Option<&str>) -> Result<()> {
        let mut values = self.values.borrow_mut();
        match value {
            Some(v) => values.insert(key.to_string(), v.to_string()),
            None => values.remove(key),
        };
        Ok(())
    }
}

impl<S: Store> Store for std::rc::Rc<S> {
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<String>>> {
        (**self).load(key)
    }

    fn save(&self, key: &str, value: Option<&str>) -> impl Future<Output = Result<()>> {
        (**self).save(key, value)
    }
}
