//! JSON values, parsing and writing for the whole crate: the subset of `serde_json`'s API the code
//! uses, with the same behaviour, in a fraction of the WebAssembly.
//!
//! `serde_json` costs ~20 KB of wasm here (its serde visitor machinery, `io`-based error type, a
//! B-tree map and two float codecs) for what this module does in a few kilobytes: [`Value`],
//! [`Map`] (a sorted vector: objects iterate in key order, as `serde_json`'s default `BTreeMap`
//! does), [`Number`] (the same `u64` / `i64` / `f64` split), [`from_slice`] / [`from_str`] (strict
//! RFC 8259, nesting limited to 127 levels like `serde_json`), [`to_string`] and `Display` (compact,
//! with `serde_json`'s escapes and number formatting) and the [`json!`](crate::json!) macro.
//!
//! Migrating code from `serde_json` is a path change: `serde_json::{json, Map, Value}` →
//! `crate::json::{json, Map, Value}`, `serde_json::from_slice` → `crate::json::from_slice`.

use std::borrow::Borrow;
use std::fmt::{self, Write as _};
use std::ops;

// ---------------------------------------------------------------------------------------------
// Number

/// A JSON number: a non-negative integer, a negative integer or a finite float (as in `serde_json`,
/// `1` and `1.0` are different numbers).
#[derive(Clone, Copy, PartialEq)]
pub struct Number {
    n: N,
}

#[derive(Clone, Copy, PartialEq)]
enum N {
    PosInt(u64),
    /// Always negative.
    NegInt(i64),
    /// Always finite.
    Float(f64),
}

impl Number {
    /// A float, unless it is NaN or infinite (not JSON numbers).
    pub fn from_f64(f: f64) -> Option<Number> {
        f.is_finite().then_some(Number { n: N::Float(f) })
    }

    /// True for an integer that fits an `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }

    /// True for a non-negative integer.
    pub fn is_u64(&self) -> bool {
        matches!(self.n, N::PosInt(_))
    }

    /// True for a float.
    pub fn is_f64(&self) -> bool {
        matches!(self.n, N::Float(_))
    }

    /// The number as an `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.n {
            N::PosInt(n) => i64::try_from(n).ok(),
            N::NegInt(n) => Some(n),
            N::Float(_) => None,
        }
    }

    /// The number as a `u64`, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self.n {
            N::PosInt(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `f64` (always `Some`; large integers are rounded).
    pub fn as_f64(&self) -> Option<f64> {
        Some(match self.n {
            N::PosInt(n) => n as f64,
            N::NegInt(n) => n as f64,
            N::Float(f) => f,
        })
    }
}

macro_rules! number_from {
    (unsigned: $($u:ty)*; signed: $($i:ty)*) => {
        $(impl From<$u> for Number {
            fn from(n: $u) -> Number {
                Number { n: N::PosInt(n as u64) }
            }
        })*
        $(impl From<$i> for Number {
            fn from(n: $i) -> Number {
                let n = n as i64;
                Number { n: if n < 0 { N::NegInt(n) } else { N::PosInt(n as u64) } }
            }
        })*
    };
}
number_from!(unsigned: u8 u16 u32 u64 usize; signed: i8 i16 i32 i64 isize);

/// Formats like `serde_json`: integers in decimal, floats with the shortest digits that read back
/// the same, in plain notation for decimal exponents -5..=15 (`1.0`, `0.001234`, `12340000000.0`),
/// otherwise as `1.234e+33` / `5e-324`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.n {
            N::PosInt(n) => write_u64(f, n, false),
            N::NegInt(n) => write_u64(f, n.unsigned_abs(), true),
            N::Float(x) => f.write_str(&format_float(x)),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

fn write_u64(out: &mut impl fmt::Write, mut n: u64, negative: bool) -> fmt::Result {
    let mut buf = [0u8; 21];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    // Only ASCII digits and '-' were written.
    out.write_str(std::str::from_utf8(&buf[i..]).unwrap_or_default())
}

/// The shortest round-trip digits of a finite, non-zero `x` (no sign, no trailing zeros) and the
/// decimal exponent of the first digit: 1234.5 → ("12345", 3). Taken from the host's own shortest
/// formatting (JavaScript's `Number#toString` on wasm, which picks the even digit on an exact tie as
/// `serde_json` does; Rust's `{:e}` in native builds, which rounds such ties up: `2^-25` prints
/// `…313e-8` there instead of `…312e-8`), never from a float formatter linked into the wasm.
fn shortest_digits(x: f64) -> (String, i32) {
    #[cfg(target_arch = "wasm32")]
    let text: String = js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_default();
    #[cfg(not(target_arch = "wasm32"))]
    let text = format!("{x:e}");
    // Both forms are `[-]digits[.digits][e[+-]exp]`.
    let text = text.trim_start_matches('-');
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = int_part.chars().chain(frac_part.chars()).collect();
    // Exponent of the first digit of `int_part`, then skip leading zeros (`0.00012`).
    let mut first_exp = exp + int_part.len() as i32 - 1;
    let zeros = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..zeros);
    first_exp -= zeros as i32;
    let kept = digits.trim_end_matches('0').len();
    digits.truncate(kept);
    (digits, first_exp)
}

fn format_float(x: f64) -> String {
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if x == 0.0 {
        out.push_str("0.0");
        return out;
    }
    let (digits, exp) = shortest_digits(x);
    let len = digits.len() as i32;
    if (-5..=15).contains(&exp) {
        if len - 1 <= exp {
            // 1234e7 → 12340000000.0
            out.push_str(&digits);
            out.extend(std::iter::repeat('0').take((exp - len + 1) as usize));
            out.push_str(".0");
        } else if exp >= 0 {
            // 1234e-2 → 12.34
            let (int_part, frac_part) = digits.split_at(exp as usize + 1);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac_part);
        } else {
            // 1234e-6 → 0.001234
            out.push_str("0.");
            out.extend(std::iter::repeat('0').take((-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        // 1234e30 → 1.234e+33
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let _ = write_u64(&mut out, u64::from(exp.unsigned_abs()), false);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Map

/// A JSON object: keys kept sorted (iteration is in key order, as with `serde_json`'s default map),
/// one value per key (inserting an existing key replaces its value).
#[derive(Clone, PartialEq)]
pub struct Map<K, V> {
    entries: Vec<(K, V)>,
}

impl Default for Map<String, Value> {
    fn default() -> Self {
        Map { entries: Vec::new() }
    }
}

/// `(&key, &value)` pairs in key order.
pub type Iter<'a> = std::iter::Map<std::slice::Iter<'a, (String, Value)>, fn(&'a (String, Value)) -> (&'a String, &'a Value)>;
/// `(&key, &mut value)` pairs in key order.
pub type IterMut<'a> =
    std::iter::Map<std::slice::IterMut<'a, (String, Value)>, fn(&'a mut (String, Value)) -> (&'a String, &'a mut Value)>;
/// `(key, value)` pairs in key order.
pub type IntoIter = std::vec::IntoIter<(String, Value)>;

impl Map<String, Value> {
    /// An empty object.
    pub fn new() -> Self {
        Map { entries: Vec::new() }
    }

    /// An empty object with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Map { entries: Vec::with_capacity(capacity) }
    }

    fn find<Q: ?Sized + Ord>(&self, key: &Q) -> Result<usize, usize>
    where
        String: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Sets `key` to `value`; returns the value it replaces.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`.
    pub fn get<Q: ?Sized + Ord>(&self, key: &Q) -> Option<&Value>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of `key`, mutably.
    pub fn get_mut<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<&mut Value>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// The stored key and value of `key`.
    pub fn get_key_value<Q: ?Sized + Ord>(&self, key: &Q) -> Option<(&String, &Value)>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| (&self.entries[i].0, &self.entries[i].1))
    }

    /// True when `key` is present.
    pub fn contains_key<Q: ?Sized + Ord>(&self, key: &Q) -> bool
    where
        String: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Removes `key`; returns its value.
    pub fn remove<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<Value>
    where
        String: Borrow<Q>,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`; returns the stored key and its value.
    pub fn remove_entry<Q: ?Sized + Ord>(&mut self, key: &Q) -> Option<(String, Value)>
    where
        String: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i))
    }

    /// The entry of `key`, to read or insert in place.
    pub fn entry(&mut self, key: impl Into<String>) -> Entry<'_> {
        let key = key.into();
        match self.find(&key) {
            Ok(index) => Entry::Occupied(OccupiedEntry { map: self, index }),
            Err(index) => Entry::Vacant(VacantEntry { map: self, index, key }),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Moves every entry of `other` into this map (replacing values of existing keys).
    pub fn append(&mut self, other: &mut Self) {
        for (k, v) in std::mem::take(&mut other.entries) {
            self.insert(k, v);
        }
    }

    /// `(&key, &value)` pairs in key order.
    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// `(&key, &mut value)` pairs in key order.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values, mutably, in key order.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The values, by value, in key order.
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = Value> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| v)
    }
}

/// A slot of a [`Map`] (see [`Map::entry`]).
pub enum Entry<'a> {
    /// The key is absent.
    Vacant(VacantEntry<'a>),
    /// The key is present.
    Occupied(OccupiedEntry<'a>),
}

/// An absent key of a [`Map`].
pub struct VacantEntry<'a> {
    map: &'a mut Map<String, Value>,
    index: usize,
    key: String,
}

/// A present key of a [`Map`].
pub struct OccupiedEntry<'a> {
    map: &'a mut Map<String, Value>,
    index: usize,
}

impl<'a> VacantEntry<'a> {
    /// The key.
    pub fn key(&self) -> &String {
        &self.key
    }

    /// Inserts the value; returns it.
    pub fn insert(self, value: Value) -> &'a mut Value {
        self.map.entries.insert(self.index, (self.key, value));
        &mut self.map.entries[self.index].1
    }
}

impl<'a> OccupiedEntry<'a> {
    /// The key.
    pub fn key(&self) -> &String {
        &self.map.entries[self.index].0
    }

    /// The value.
    pub fn get(&self) -> &Value {
        &self.map.entries[self.index].1
    }

    /// The value, mutably.
    pub fn get_mut(&mut self) -> &mut Value {
        &mut self.map.entries[self.index].1
    }

    /// The value, mutably, for as long as the map is borrowed.
    pub fn into_mut(self) -> &'a mut Value {
        &mut self.map.entries[self.index].1
    }

    /// Replaces the value; returns the old one.
    pub fn insert(&mut self, value: Value) -> Value {
        std::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry; returns its value.
    pub fn remove(self) -> Value {
        self.map.entries.remove(self.index).1
    }
}

impl<'a> Entry<'a> {
    /// The key.
    pub fn key(&self) -> &String {
        match self {
            Entry::Vacant(e) => e.key(),
            Entry::Occupied(e) => e.key(),
        }
    }

    /// The value, inserting `default` first if the key is absent.
    pub fn or_insert(self, default: Value) -> &'a mut Value {
        match self {
            Entry::Vacant(e) => e.insert(default),
            Entry::Occupied(e) => e.into_mut(),
        }
    }

    /// The value, inserting `default()` first if the key is absent.
    pub fn or_insert_with(self, default: impl FnOnce() -> Value) -> &'a mut Value {
        match self {
            Entry::Vacant(e) => e.insert(default()),
            Entry::Occupied(e) => e.into_mut(),
        }
    }

    /// Applies `f` to the value if the key is present.
    pub fn and_modify(mut self, f: impl FnOnce(&mut Value)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }
}

impl fmt::Debug for Map<String, Value> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<Q: ?Sized + Ord> ops::Index<&Q> for Map<String, Value>
where
    String: Borrow<Q>,
{
    type Output = Value;

    fn index(&self, key: &Q) -> &Value {
        self.get(key).expect("no entry found for key")
    }
}

impl<Q: ?Sized + Ord> ops::IndexMut<&Q> for Map<String, Value>
where
    String: Borrow<Q>,
{
    fn index_mut(&mut self, key: &Q) -> &mut Value {
        self.get_mut(key).expect("no entry found for key")
    }
}

impl<'a> IntoIterator for &'a Map<String, Value> {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Map<String, Value> {
    type Item = (&'a String, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

impl IntoIterator for Map<String, Value> {
    type Item = (String, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(String, Value)> for Map<String, Value> {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut map = Map::new();
        map.extend(iter);
        map
    }
}

impl Extend<(String, Value)> for Map<String, Value> {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value

/// A JSON value.
#[derive(Clone, Default, PartialEq)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map<String, Value>),
}

static NULL: Value = Value::Null;

impl Value {
    /// `value[index]` without panicking: a key of an object or a position in an array.
    pub fn get<I: Index>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    /// Like [`Value::get`], mutably.
    pub fn get_mut<I: Index>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for `true` / `false`.
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    /// True for a number.
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    /// True for a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// True for an array.
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// True for an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// True for an integer that fits an `i64`.
    pub fn is_i64(&self) -> bool {
        self.as_i64().is_some()
    }

    /// True for a non-negative integer.
    pub fn is_u64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_u64())
    }

    /// True for a float.
    pub fn is_f64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_f64())
    }

    /// `Some(())` for `null`.
    pub fn as_null(&self) -> Option<()> {
        self.is_null().then_some(())
    }

    /// The boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as an `i64` (integers in range only).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as a `u64` (non-negative integers only).
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The number as an `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// The string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The array, mutably.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The object.
    pub fn as_object(&self) -> Option<&Map<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The object, mutably.
    pub fn as_object_mut(&mut self) -> Option<&mut Map<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// Looks up a JSON Pointer (RFC 6901), e.g. `/data/0/id`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).try_fold(self, |target, token| match target {
            Value::Object(map) => map.get(token.as_str()),
            Value::Array(items) => parse_array_index(&token).and_then(|i| items.get(i)),
            _ => None,
        })
    }
}

fn parse_array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() > 1) {
        return None;
    }
    token.parse().ok()
}

/// What can index a [`Value`]: a key (`str`, `String`) or an array position (`usize`).
pub trait Index: private::Sealed {
    #[doc(hidden)]
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value>;
    #[doc(hidden)]
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value>;
    #[doc(hidden)]
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value;
}

mod private {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl<T: Sealed + ?Sized> Sealed for &T {}
}

impl Index for usize {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        v.as_array()?.get(*self)
    }

    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        v.as_array_mut()?.get_mut(*self)
    }

    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        match v {
            Value::Array(items) => match items.get_mut(*self) {
                Some(item) => item,
                None => panic!("JSON array index out of bounds"),
            },
            _ => panic!("cannot index a JSON value that is not an array with a number"),
        }
    }
}

impl Index for str {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        v.as_object()?.get(self)
    }

    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        v.as_object_mut()?.get_mut(self)
    }

    /// `null` becomes an object; a missing key is inserted as `null`; other values panic.
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        if v.is_null() {
            *v = Value::Object(Map::new());
        }
        match v {
            Value::Object(map) => map.entry(self).or_insert(Value::Null),
            _ => panic!("cannot index a JSON value that is not an object with a key"),
        }
    }
}

impl Index for String {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(v)
    }

    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        self.as_str().index_into_mut(v)
    }

    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        self.as_str().index_or_insert(v)
    }
}

impl<T: Index + ?Sized> Index for &T {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        (**self).index_into(v)
    }

    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        (**self).index_into_mut(v)
    }

    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        (**self).index_or_insert(v)
    }
}

/// `value["key"]` / `value[0]`: `null` when absent (never panics).
impl<I: Index> ops::Index<I> for Value {
    type Output = Value;

    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

/// `value["key"] = …` inserts the key (turning `null` into an object); panics on other types.
impl<I: Index> ops::IndexMut<I> for Value {
    fn index_mut(&mut self, index: I) -> &mut Value {
        index.index_or_insert(self)
    }
}

/// Compact JSON text (what [`to_string`] writes).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_string(self))
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => fmt::Debug::fmt(n, f),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(items) => {
                f.write_str("Array ")?;
                fmt::Debug::fmt(items, f)
            }
            Value::Object(map) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(map, f)
            }
        }
    }
}

impl std::str::FromStr for Value {
    type Err = Error;

    fn from_str(text: &str) -> Result<Value, Error> {
        from_str(text)
    }
}

macro_rules! value_from_number {
    ($($t:ty)*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number::from(n))
            }
        }
    )*};
}
value_from_number!(u8 u16 u32 u64 usize i8 i16 i32 i64 isize);

impl From<f64> for Value {
    /// `null` for NaN and infinities.
    fn from(f: f64) -> Value {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

impl From<f32> for Value {
    fn from(f: f32) -> Value {
        Value::from(f64::from(f))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.clone())
    }
}

impl From<std::borrow::Cow<'_, str>> for Value {
    fn from(s: std::borrow::Cow<'_, str>) -> Value {
        Value::String(s.into_owned())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<Map<String, Value>> for Value {
    fn from(map: Map<String, Value>) -> Value {
        Value::Object(map)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Clone + Into<Value>> From<&[T]> for Value {
    fn from(items: &[T]) -> Value {
        Value::Array(items.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

impl From<()> for Value {
    fn from((): ()) -> Value {
        Value::Null
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Value {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Value {
        Value::Object(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

macro_rules! value_eq {
    ($($t:ty => $conv:ident as $as:ty),*) => {$(
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                self.$conv() == Some(*other as $as)
            }
        }
        impl PartialEq<Value> for $t {
            fn eq(&self, other: &Value) -> bool {
                other.$conv() == Some(*self as $as)
            }
        }
    )*};
}
value_eq!(
    i8 => as_i64 as i64, i16 => as_i64 as i64, i32 => as_i64 as i64, i64 => as_i64 as i64, isize => as_i64 as i64,
    u8 => as_u64 as u64, u16 => as_u64 as u64, u32 => as_u64 as u64, u64 => as_u64 as u64, usize => as_u64 as u64,
    f64 => as_f64 as f64, bool => as_bool as bool
);

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<Value> for str {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

impl PartialEq<Value> for &str {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

impl PartialEq<Value> for String {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

// ---------------------------------------------------------------------------------------------
// json! (adapted from serde_json's macro, MIT OR Apache-2.0)

/// Turns a value into a [`Value`] by reference, for [`json!`](crate::json!) (`serde_json::to_value`).
pub trait ToJson {
    /// The JSON value.
    fn to_json(&self) -> Value;
}

/// `serde_json::to_value` for the types [`ToJson`] covers.
pub fn to_value<T: ToJson + ?Sized>(value: &T) -> Value {
    value.to_json()
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson + ?Sized> ToJson for &mut T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

macro_rules! to_json_via_from {
    ($($t:ty)*) => {$(
        impl ToJson for $t {
            fn to_json(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
to_json_via_from!(u8 u16 u32 u64 usize i8 i16 i32 i64 isize f32 f64 bool String Number);

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl ToJson for Map<String, Value> {
    fn to_json(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl ToJson for () {
    fn to_json(&self) -> Value {
        Value::Null
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn to_json(&self) -> Value {
        self[..].to_json()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self[..].to_json()
    }
}

impl<K: AsRef<str>, V: ToJson> ToJson for std::collections::BTreeMap<K, V> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.as_ref().to_string(), v.to_json())).collect())
    }
}

/// A [`Value`] from JSON-like syntax, as `serde_json::json!`: `json!({"a": [1, x, null], key: y})`.
/// Interpolated expressions go through [`ToJson`].
#[macro_export]
#[doc(hidden)]
macro_rules! __json {
    ($($json:tt)+) => {
        $crate::__json_internal!($($json)+)
    };
}

#[doc(inline)]
pub use crate::__json as json;

#[macro_export]
#[doc(hidden)]
macro_rules! __json_internal {
    (@array [$($elems:expr,)*]) => {
        vec![$($elems,)*]
    };
    (@array [$($elems:expr),*]) => {
        vec![$($elems),*]
    };
    (@array [$($elems:expr,)*] null $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!(null)] $($rest)*)
    };
    (@array [$($elems:expr,)*] true $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!(true)] $($rest)*)
    };
    (@array [$($elems:expr,)*] false $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!(false)] $($rest)*)
    };
    (@array [$($elems:expr,)*] [$($array:tt)*] $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!([$($array)*])] $($rest)*)
    };
    (@array [$($elems:expr,)*] {$($map:tt)*} $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!({$($map)*})] $($rest)*)
    };
    (@array [$($elems:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!($next),] $($rest)*)
    };
    (@array [$($elems:expr,)*] $last:expr) => {
        $crate::__json_internal!(@array [$($elems,)* $crate::__json_internal!($last)])
    };
    (@array [$($elems:expr),*] , $($rest:tt)*) => {
        $crate::__json_internal!(@array [$($elems,)*] $($rest)*)
    };
    (@array [$($elems:expr),*] $unexpected:tt $($rest:tt)*) => {
        $crate::__json_unexpected!($unexpected)
    };

    (@object $object:ident () () ()) => {};
    (@object $object:ident [$($key:tt)+] ($value:expr) , $($rest:tt)*) => {
        let _ = $object.insert(($($key)+).into(), $value);
        $crate::__json_internal!(@object $object () ($($rest)*) ($($rest)*));
    };
    (@object $object:ident [$($key:tt)+] ($value:expr) $unexpected:tt $($rest:tt)*) => {
        $crate::__json_unexpected!($unexpected);
    };
    (@object $object:ident [$($key:tt)+] ($value:expr)) => {
        let _ = $object.insert(($($key)+).into(), $value);
    };
    (@object $object:ident ($($key:tt)+) (: null $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!(null)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: true $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!(true)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: false $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!(false)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: [$($array:tt)*] $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!([$($array)*])) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: {$($map:tt)*} $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!({$($map)*})) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr , $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!($value)) , $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr) $copy:tt) => {
        $crate::__json_internal!(@object $object [$($key)+] ($crate::__json_internal!($value)));
    };
    (@object $object:ident ($($key:tt)+) (:) $copy:tt) => {
        $crate::__json_internal!();
    };
    (@object $object:ident ($($key:tt)+) () $copy:tt) => {
        $crate::__json_internal!();
    };
    (@object $object:ident () (: $($rest:tt)*) ($colon:tt $($copy:tt)*)) => {
        $crate::__json_unexpected!($colon);
    };
    (@object $object:ident ($($key:tt)*) (, $($rest:tt)*) ($comma:tt $($copy:tt)*)) => {
        $crate::__json_unexpected!($comma);
    };
    (@object $object:ident () (($key:expr) : $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object ($key) (: $($rest)*) (: $($rest)*));
    };
    (@object $object:ident ($($key:tt)*) (: $($unexpected:tt)+) $copy:tt) => {
        $crate::__json_expect_expr_comma!($($unexpected)+);
    };
    (@object $object:ident ($($key:tt)*) ($tt:tt $($rest:tt)*) $copy:tt) => {
        $crate::__json_internal!(@object $object ($($key)* $tt) ($($rest)*) ($($rest)*));
    };

    (null) => {
        $crate::json::Value::Null
    };
    (true) => {
        $crate::json::Value::Bool(true)
    };
    (false) => {
        $crate::json::Value::Bool(false)
    };
    ([]) => {
        $crate::json::Value::Array(vec![])
    };
    ([ $($tt:tt)+ ]) => {
        $crate::json::Value::Array($crate::__json_internal!(@array [] $($tt)+))
    };
    ({}) => {
        $crate::json::Value::Object($crate::json::Map::new())
    };
    ({ $($tt:tt)+ }) => {
        $crate::json::Value::Object({
            let mut object = $crate::json::Map::new();
            $crate::__json_internal!(@object object () ($($tt)+) ($($tt)+));
            object
        })
    };
    ($other:expr) => {
        $crate::json::to_value(&$other)
    };
}

#[macro_export]
#[doc(hidden)]
macro_rules! __json_unexpected {
    () => {};
}

#[macro_export]
#[doc(hidden)]
macro_rules! __json_expect_expr_comma {
    ($e:expr , $($tt:tt)*) => {};
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// Why a text is not JSON, and where (byte offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What was wrong.
    pub reason: &'static str,
    /// Byte offset of the problem.
    pub offset: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for Error {}

/// Parses one JSON document (surrounding whitespace allowed, nothing else).
pub fn from_slice(bytes: &[u8]) -> Result<Value, Error> {
    let mut parser = Parser { bytes, pos: 0, depth: 0 };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

/// Parses one JSON document from text.
pub fn from_str(text: &str) -> Result<Value, Error> {
    from_slice(text.as_bytes())
}

/// Nesting deeper than this is refused (as `serde_json` does), which also bounds the recursion.
const MAX_DEPTH: u32 = 127;

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> Error {
        Error { reason, offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Value) -> Result<Value, Error> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(open @ (b'[' | b'{')) => {
                if self.depth >= MAX_DEPTH {
                    return Err(self.error("recursion limit exceeded"));
                }
                self.depth += 1;
                self.pos += 1;
                let value = if open == b'[' { self.array() } else { self.object() };
                self.depth -= 1;
                value
            }
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// After `[`.
    fn array(&mut self) -> Result<Value, Error> {
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// After `{`.
    fn object(&mut self) -> Result<Value, Error> {
        let mut map = Map::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("key must be a string"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            let value = self.value()?;
            // A repeated key keeps its last value, as in `serde_json`.
            map.insert(key, value);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// At `"`: the decoded string. Raw control characters, bad escapes, lone surrogates and
    /// invalid UTF-8 are errors.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.extend_from_slice(&self.bytes[start..self.pos]);
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out).map_err(|_| self.error("invalid unicode code point"));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or_else(|| self.error("EOF while parsing a string"))?;
                    self.pos += 1;
                    let byte = match escaped {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    out.push(byte);
                }
                Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("unexpected end of hex escape"))?;
        let mut n = 0u32;
        for &d in digits {
            let v = (d as char).to_digit(16).ok_or_else(|| self.error("invalid escape"))?;
            n = n * 16 + v;
        }
        self.pos += 4;
        Ok(n)
    }

    /// After `\u`.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("invalid unicode code point")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))
    }

    /// At `-` or a digit. Integers stay exact (`u64`, or `i64` when negative); anything else is the
    /// nearest `f64`, and a number too large for one is an error.
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.error("invalid number"));
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.error("invalid number")),
        }
        let int_end = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.skip_digits();
            integer = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.skip_digits();
            integer = false;
        }
        if integer {
            let mut n: u64 = 0;
            let mut exact = true;
            for &d in &self.bytes[int_start..int_end] {
                match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d - b'0'))) {
                    Some(next) => n = next,
                    None => {
                        exact = false;
                        break;
                    }
                }
            }
            if exact {
                if !negative {
                    return Ok(Number { n: N::PosInt(n) });
                }
                // `-0` and anything below `i64::MIN` become floats, as in `serde_json`.
                let neg = (n as i64).wrapping_neg();
                if neg < 0 {
                    return Ok(Number { n: N::NegInt(neg) });
                }
            }
        }
        // ASCII digits, sign, '.', 'e' only.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default();
        let f = parse_f64(text);
        Number::from_f64(f).ok_or(Error { reason: "number out of range", offset: start })
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

/// The nearest `f64` to a JSON number text. Short decimals (≤ 15 significant digits, exponent
/// within ±22) are exact in one correctly rounded operation; the rest goes to the host's
/// correctly rounded parser (JavaScript's `parseFloat` on wasm, Rust's elsewhere), so the same
/// text gives the same double everywhere without linking Rust's float parser into the wasm.
fn parse_f64(text: &str) -> f64 {
    if let Some(f) = parse_f64_fast(text) {
        return f;
    }
    #[cfg(target_arch = "wasm32")]
    return js_sys::parse_float(text);
    #[cfg(not(target_arch = "wasm32"))]
    return text.parse().unwrap_or(f64::NAN);
}

fn parse_f64_fast(text: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.trim_start_matches('+').parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut significand: u64 = 0;
    let mut digits = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if digits == 0 && b == b'0' {
            continue;
        }
        digits += 1;
        if digits > 15 {
            return None;
        }
        significand = significand * 10 + u64::from(b - b'0');
    }
    let exp = exp - frac_part.len() as i32;
    let magnitude = significand as f64;
    let value = if significand == 0 {
        0.0
    } else if (0..=22).contains(&exp) {
        magnitude * POW10[exp as usize]
    } else if (-22..0).contains(&exp) {
        magnitude / POW10[(-exp) as usize]
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Compact JSON text of a value, written like `serde_json::to_string`: keys in map order, no
/// spaces, `\"` `\\` `\b` `\f` `\n` `\r` `\t` and `\u00XX` for other control characters.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes_back() {
        let text = r#"{"b":[1,-2,3.5,true,false,null],"a":{"x":"y\n\"z\"\u00e9\ud83d\ude00"},"c":-0.0}"#;
        let v = from_str(text).unwrap();
        assert_eq!(v["a"]["x"], "y\n\"z\"é😀");
        assert_eq!(v["b"][1].as_i64(), Some(-2));
        assert_eq!(v["b"][0].as_u64(), Some(1));
        assert!(v["b"][2].is_f64());
        // keys come out sorted
        assert_eq!(to_string(&v), r#"{"a":{"x":"y\n\"z\"é😀"},"b":[1,-2,3.5,true,false,null],"c":-0.0}"#);
        assert_eq!(v.to_string(), to_string(&v));
    }

    #[test]
    fn numbers_like_serde_json() {
        let n = |t: &str| match from_str(t).unwrap() {
            Value::Number(n) => n,
            other => panic!("{other:?}"),
        };
        assert!(n("18446744073709551615").is_u64());
        assert!(n("18446744073709551616").is_f64());
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert!(n("-9223372036854775809").is_f64());
        assert!(n("-0").is_f64());
        assert_eq!(n("-0").to_string(), "-0.0");
        assert_eq!(n("1e2").to_string(), "100.0");
        assert_eq!(n("0.1").as_f64(), Some(0.1));
        assert_eq!(n("123.456e-7").as_f64(), Some(123.456e-7));
        assert_eq!(n("2.2250738585072014e-308").as_f64(), Some(2.2250738585072014e-308));
        assert_eq!(n("0.30000000000000004").as_f64(), Some(0.30000000000000004));
        assert_eq!(n("1.7976931348623157e308").as_f64(), Some(f64::MAX));
        assert!(from_str("1e309").is_err());
        assert_ne!(json!(1), json!(1.0));
        for (f, text) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1234.5, "1234.5"),
            (0.001234, "0.001234"),
            (0.00001, "0.00001"),
            (0.000001, "1e-6"),
            (1e15, "1000000000000000.0"),
            (1.5e15, "1500000000000000.0"),
            (1e16, "1e+16"),
            (1.234e33, "1.234e+33"),
            (5e-324, "5e-324"),
            (-2.5, "-2.5"),
            (6.62607015e-34, "6.62607015e-34"),
            (5.444310685350916e14, "544431068535091.6"),
        ] {
            assert_eq!(Number::from_f64(f).unwrap().to_string(), text);
        }
        assert_eq!(Value::from(f64::NAN), Value::Null);
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            "", " ", "nul", "nulls", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "+1",
            "1e", "1e+", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"abc", "[", "{",
            "\u{feff}1", "1 2", "\"\\u12\"",
        ] {
            assert!(from_str(bad).is_err(), "{bad:?}");
        }
        assert!(from_slice(b"\"\xff\"").is_err());
        let deep_ok = "[".repeat(127) + &"]".repeat(127);
        assert!(from_str(&deep_ok).is_ok());
        let too_deep = "[".repeat(128) + &"]".repeat(128);
        assert!(from_str(&too_deep).is_err());
        assert_eq!(from_str(" [ ] ").unwrap(), json!([]));
        assert_eq!(from_str(r#"{"a":1,"a":2}"#).unwrap(), json!({"a": 2}));
    }

    #[test]
    fn escapes_like_serde_json() {
        assert_eq!(to_string(&json!("\u{8}\u{c}\u{1}\u{1f}\u{7f}/")), "\"\\b\\f\\u0001\\u001f\u{7f}/\"");
    }

    #[test]
    fn macro_and_indexing() {
        let key = "k".to_string();
        let list = vec![json!(1), json!("x")];
        let none: Option<&str> = None;
        let mut v = json!({"a": [1, null, {"b": true}], key: list, "n": none, "s": Some("t"), "f": 1.5, "neg": -3});
        assert_eq!(v["k"], json!([1, "x"]));
        assert_eq!(v["n"], Value::Null);
        assert_eq!(v["s"], "t");
        assert_eq!(v["neg"], -3);
        assert_eq!(v["a"][2]["b"], true);
        assert!(v["missing"]["deeper"].is_null());
        v["new"] = json!(5);
        assert_eq!(v.get("new"), Some(&json!(5)));
        assert_eq!(v.pointer("/a/2/b"), Some(&json!(true)));
        let mut null = Value::Null;
        null["x"] = json!(1);
        assert_eq!(null, json!({"x": 1}));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "f", "k", "n", "neg", "new", "s"]);
    }
}
