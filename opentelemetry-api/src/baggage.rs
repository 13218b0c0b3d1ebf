//! Baggage: application-defined name/value pairs that travel with a request across process
//! boundaries.
//!
//! A [`Baggage`] is a plain value; a [`Context`] holds one, and the [`BaggageExt`] methods read
//! and derive contexts with changed baggage (contexts stay immutable). Names and values are
//! case-sensitive; names are any non-empty string and values any string, and a baggage holds
//! any number of entries. Limits belong to propagation: the W3C
//! [`BaggagePropagator`](crate::propagation::BaggagePropagator) only sends names that are
//! HTTP tokens, and at most the W3C limits of members and bytes.
//!
//! ```
//! use opentelemetry_api::baggage::BaggageExt;
//! use opentelemetry_api::{Context, KeyValue};
//!
//! let cx = Context::new().with_baggage([KeyValue::new("user.id", "alice")]);
//! assert_eq!(cx.baggage().get("user.id").map(|v| v.as_str()), Some("alice"));
//! assert!(cx.with_cleared_baggage().baggage().is_empty());
//! ```

use crate::{Context, Key, KeyValue, StringValue, Value};
use std::fmt;

type Entry = (Key, (StringValue, BaggageMetadata));

/// A set of name/value pairs, each with optional metadata. Each name has exactly one value;
/// setting a name again replaces its value. Order is not significant (but iteration follows
/// insertion order, so headers are stable).
///
/// ```
/// use opentelemetry_api::baggage::{Baggage, BaggageMetadata};
///
/// let mut baggage = Baggage::new();
/// baggage.insert("a", "B% 💼");
/// baggage.insert("A", "c");
/// baggage.insert_with_metadata("tenant", "acme", BaggageMetadata::from("ttl=60"));
/// assert_eq!(baggage.get("a").map(|v| v.as_str()), Some("B% 💼"));
/// assert_eq!(baggage.get("A").map(|v| v.as_str()), Some("c"));
/// assert_eq!(baggage.get_with_metadata("tenant").unwrap().1.as_str(), "ttl=60");
/// assert_eq!(baggage.len(), 3);
/// baggage.remove("a");
/// assert_eq!(baggage.get("a"), None);
/// ```
#[derive(Clone, Default)]
pub struct Baggage {
    entries: Vec<Entry>,
}

impl Baggage {
    /// An empty baggage.
    #[inline]
    pub const fn new() -> Self {
        Baggage {
            entries: Vec::new(),
        }
    }

    /// The value for `key`.
    pub fn get<K: AsRef<str>>(&self, key: K) -> Option<&StringValue> {
        self.get_with_metadata(key).map(|(v, _)| v)
    }

    /// The value and metadata for `key`.
    pub fn get_with_metadata<K: AsRef<str>>(
        &self,
        key: K,
    ) -> Option<&(StringValue, BaggageMetadata)> {
        let key = key.as_ref();
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, vm)| vm)
    }

    /// Sets `key` to `value` (without metadata) and returns the previous value.
    ///
    /// Any value is accepted and [`get`](Baggage::get) returns it unchanged. An empty key is
    /// invalid: the entry is dropped with a diagnostic and the baggage is left unchanged.
    pub fn insert<K, V>(&mut self, key: K, value: V) -> Option<StringValue>
    where
        K: Into<Key>,
        V: Into<StringValue>,
    {
        self.insert_with_metadata(key, value, BaggageMetadata::default())
            .map(|(v, _)| v)
    }

    /// Sets `key` to `value` with `metadata` and returns the previous value and metadata.
    ///
    /// Any value and metadata are accepted. An empty key is invalid: the entry is dropped
    /// with a diagnostic and the baggage is left unchanged.
    pub fn insert_with_metadata<K, V, S>(
        &mut self,
        key: K,
        value: V,
        metadata: S,
    ) -> Option<(StringValue, BaggageMetadata)>
    where
        K: Into<Key>,
        V: Into<StringValue>,
        S: Into<BaggageMetadata>,
    {
        let key = key.into();
        if key.as_str().is_empty() {
            crate::otel_warn!(
                "Baggage.EntryDropped",
                "baggage entry dropped: an empty name is invalid"
            );
            return None;
        }
        let entry = (value.into(), metadata.into());
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) => Some(std::mem::replace(old, entry)),
            None => {
                self.entries.push((key, entry));
                None
            }
        }
    }

    /// Removes `key` and returns its value and metadata.
    pub fn remove<K: AsRef<str>>(&mut self, key: K) -> Option<(StringValue, BaggageMetadata)> {
        let key = key.as_ref();
        let i = self.entries.iter().position(|(k, _)| k.as_str() == key)?;
        Some(self.entries.remove(i).1)
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }
}

impl fmt::Debug for Baggage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, (v, _))| (k, v)))
            .finish()
    }
}

/// Two baggages are equal when they have the same entries, in any order.
impl PartialEq for Baggage {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(k, vm)| other.get_with_metadata(k.as_str()) == Some(vm))
    }
}

impl Eq for Baggage {}

/// An iterator over the entries of a [`Baggage`].
#[derive(Debug, Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, Entry>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a (StringValue, BaggageMetadata));

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, vm)| (k, vm))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Baggage {
    type Item = (&'a Key, &'a (StringValue, BaggageMetadata));
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<KeyValue> for Baggage {
    fn from_iter<I: IntoIterator<Item = KeyValue>>(iter: I) -> Self {
        iter.into_iter().map(KeyValueMetadata::from).collect()
    }
}

impl FromIterator<KeyValueMetadata> for Baggage {
    fn from_iter<I: IntoIterator<Item = KeyValueMetadata>>(iter: I) -> Self {
        let mut baggage = Baggage::new();
        for kvm in iter {
            baggage.insert_with_metadata(kvm.key, kvm.value, kvm.metadata);
        }
        baggage
    }
}

/// Opaque metadata of a baggage entry. The W3C propagator sends it as the entry's property
/// list, in its wire form (for example `ttl=60;confidential`); it is trimmed of surrounding
/// whitespace.
///
/// ```
/// use opentelemetry_api::baggage::BaggageMetadata;
/// assert_eq!(BaggageMetadata::from("  ttl=60 ").as_str(), "ttl=60");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BaggageMetadata(String);

impl BaggageMetadata {
    /// The metadata text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for BaggageMetadata {
    fn from(s: String) -> Self {
        let trimmed = s.trim();
        if trimmed.len() == s.len() {
            BaggageMetadata(s)
        } else {
            BaggageMetadata(trimmed.to_owned())
        }
    }
}

impl From<&str> for BaggageMetadata {
    fn from(s: &str) -> Self {
        BaggageMetadata(s.trim().to_owned())
    }
}

impl fmt::Display for BaggageMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A baggage entry: name, value and metadata.
///
/// ```
/// use opentelemetry_api::baggage::KeyValueMetadata;
/// let kvm = KeyValueMetadata::new("tenant", "acme", "ttl=60");
/// assert_eq!(kvm.metadata.as_str(), "ttl=60");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValueMetadata {
    /// The name.
    pub key: Key,
    /// The value.
    pub value: StringValue,
    /// The metadata.
    pub metadata: BaggageMetadata,
}

impl KeyValueMetadata {
    /// Creates an entry.
    pub fn new<K, V, S>(key: K, value: V, metadata: S) -> Self
    where
        K: Into<Key>,
        V: Into<StringValue>,
        S: Into<BaggageMetadata>,
    {
        KeyValueMetadata {
            key: key.into(),
            value: value.into(),
            metadata: metadata.into(),
        }
    }
}

/// An attribute becomes an entry without metadata; a non-string value is stored as its text.
impl From<KeyValue> for KeyValueMetadata {
    fn from(kv: KeyValue) -> Self {
        let value = match kv.value {
            Value::String(s) => s,
            other => StringValue::from(other.to_string()),
        };
        KeyValueMetadata {
            key: kv.key,
            value,
            metadata: BaggageMetadata::default(),
        }
    }
}

static EMPTY: Baggage = Baggage::new();

/// Baggage methods on [`Context`].
///
/// The baggage is stored in the context by type, so `cx.with_value(baggage)` replaces it
/// whole, while [`with_baggage`](BaggageExt::with_baggage) merges entries into it.
///
/// ```
/// use opentelemetry_api::baggage::{BaggageExt, KeyValueMetadata};
/// use opentelemetry_api::{Context, KeyValue};
///
/// let cx = Context::new()
///     .with_baggage([KeyValue::new("a", "1")])
///     .with_baggage([KeyValueMetadata::new("b", "2", "p")]);
/// assert_eq!(cx.baggage().len(), 2);
///
/// let _guard = cx.attach();
/// let cx2 = Context::current_with_baggage([KeyValue::new("a", "3")]);
/// assert_eq!(cx2.baggage().get("a").unwrap().as_str(), "3");
/// ```
pub trait BaggageExt {
    /// A copy of this context whose baggage has the given entries added (replacing entries
    /// with the same names).
    fn with_baggage<T, I>(&self, baggage: T) -> Self
    where
        T: IntoIterator<Item = I>,
        I: Into<KeyValueMetadata>;

    /// The current context with the given entries added to its baggage.
    fn current_with_baggage<T, I>(baggage: T) -> Self
    where
        T: IntoIterator<Item = I>,
        I: Into<KeyValueMetadata>;

    /// A copy of this context with no baggage (so none is sent to an untrusted peer).
    fn with_cleared_baggage(&self) -> Self;

    /// The baggage of this context (empty when it has none).
    fn baggage(&self) -> &Baggage;
}

impl BaggageExt for Context {
    fn with_baggage<T, I>(&self, baggage: T) -> Self
    where
        T: IntoIterator<Item = I>,
        I: Into<KeyValueMetadata>,
    {
        let mut merged = self.baggage().clone();
        for kvm in baggage {
            let kvm = kvm.into();
            merged.insert_with_metadata(kvm.key, kvm.value, kvm.metadata);
        }
        self.with_value(merged)
    }

    fn current_with_baggage<T, I>(baggage: T) -> Self
    where
        T: IntoIterator<Item = I>,
        I: Into<KeyValueMetadata>,
    {
        Context::map_current(|cx| cx.with_baggage(baggage))
    }

    fn with_cleared_baggage(&self) -> Self {
        self.with_value(Baggage::new())
    }

    #[inline]
    fn baggage(&self) -> &Baggage {
        self.get::<Baggage>().unwrap_or(&EMPTY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_case_sensitive_and_any_utf8() {
        let mut b = Baggage::new();
        b.insert("a", "B% 💼");
        b.insert("A", "c");
        assert_eq!(b.get("a").unwrap().as_str(), "B% 💼");
        assert_eq!(b.get("A").unwrap().as_str(), "c");
        assert_eq!(b.get("missing"), None);
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn setting_a_name_again_replaces_value_and_metadata() {
        let mut b = Baggage::new();
        assert_eq!(b.insert_with_metadata("k", "1", "p=1"), None);
        assert_eq!(b.insert("k", "2"), Some(StringValue::from("1")));
        assert_eq!(b.len(), 1);
        assert_eq!(b.get_with_metadata("k").unwrap().1.as_str(), "");
    }

    #[test]
    fn empty_key_is_dropped() {
        let mut b = Baggage::new();
        assert_eq!(b.insert("", "v"), None);
        assert_eq!(b.insert_with_metadata("", "v", "m"), None);
        assert!(b.is_empty());
        assert_eq!(b.get(""), None);
    }

    #[test]
    fn remove_returns_the_entry() {
        let mut b: Baggage = [
            KeyValue::new("a", "1"),
            KeyValue::new("b", "2"),
            KeyValue::new("c", 3),
        ]
        .into_iter()
        .collect();
        assert_eq!(b.get("c").unwrap().as_str(), "3");
        assert_eq!(b.remove("b").unwrap().0.as_str(), "2");
        assert_eq!(b.remove("b"), None);
        b.remove("a");
        b.remove("c");
        assert!(b.is_empty());
    }

    #[test]
    fn no_limit_on_entries_or_size() {
        // The W3C limits apply only when the propagator sends the baggage.
        let mut b = Baggage::new();
        for i in 0..1000 {
            b.insert(format!("k{i}"), "v");
        }
        assert_eq!(b.len(), 1000);
        assert_eq!(b.get("k999").unwrap().as_str(), "v");
        let big = "é ".repeat(50_000);
        assert_eq!(b.insert("k3", big.clone()), Some(StringValue::from("v")));
        assert_eq!(b.get("k3").unwrap().as_str(), big);
        b.insert_with_metadata("any name, even = or ;", "", "x".repeat(20_000));
        assert_eq!(
            b.get_with_metadata("any name, even = or ;")
                .unwrap()
                .1
                .as_str()
                .len(),
            20_000
        );
        assert_eq!(b.len(), 1001);
    }

    #[test]
    fn equality_ignores_order() {
        let a: Baggage = [KeyValue::new("a", "1"), KeyValue::new("b", "2")]
            .into_iter()
            .collect();
        let b: Baggage = [KeyValue::new("b", "2"), KeyValue::new("a", "1")]
            .into_iter()
            .collect();
        assert_eq!(a, b);
        let c: Baggage = [KeyValue::new("b", "2")].into_iter().collect();
        assert_ne!(a, c);
    }

    #[test]
    fn context_merges_replaces_and_clears() {
        let cx = Context::new();
        assert!(cx.baggage().is_empty());
        let cx1 = cx.with_baggage([KeyValue::new("a", "1"), KeyValue::new("b", "2")]);
        let cx2 = cx1.with_baggage([KeyValueMetadata::new("a", "9", "m")]);
        assert_eq!(cx1.baggage().get("a").unwrap().as_str(), "1", "immutable");
        assert_eq!(
            cx2.baggage().get_with_metadata("a"),
            Some(&(StringValue::from("9"), BaggageMetadata::from("m")))
        );
        assert_eq!(cx2.baggage().len(), 2);
        assert!(cx2.with_cleared_baggage().baggage().is_empty());
        let replaced = cx2.with_value(Baggage::new());
        assert!(replaced.baggage().is_empty());
    }

    #[test]
    fn current_with_baggage_builds_on_the_current_context() {
        let _g = Context::new()
            .with_baggage([KeyValue::new("outer", "1")])
            .attach();
        let cx = Context::current_with_baggage([KeyValue::new("inner", "2")]);
        assert_eq!(cx.baggage().len(), 2);
    }

    #[test]
    fn metadata_is_trimmed() {
        assert_eq!(BaggageMetadata::from(String::from(" x ")).as_str(), "x");
        assert_eq!(BaggageMetadata::from(String::from("x")).to_string(), "x");
    }
}
