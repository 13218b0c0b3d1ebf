//! Baggage: application-defined name/value pairs that travel with a request across process
//! boundaries.
//!
//! A [`Baggage`] is a plain value; a [`Context`] holds one, and the [`BaggageExt`] methods read
//! and derive contexts with changed baggage (contexts stay immutable). Names and values are
//! case-sensitive; names are any non-empty string (the W3C propagator only sends names that
//! are HTTP tokens). A baggage keeps within the W3C limits — at most
//! [`MAX_LIST_MEMBERS`] entries and [`MAX_BYTES`] bytes once encoded as a `baggage` header —
//! and drops (with a diagnostic) an entry that would break them.
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

/// The most entries a [`Baggage`] holds (the W3C Baggage limit).
pub const MAX_LIST_MEMBERS: usize = 64;

/// The largest a [`Baggage`] gets, in bytes of its encoded `baggage` header (the W3C limit).
pub const MAX_BYTES: usize = 8192;

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
    /// Length in bytes of the `baggage` header these entries encode to (members and commas).
    encoded_len: usize,
}

/// Why an entry was not inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    EmptyKey,
    TooManyMembers,
    TooManyBytes,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::EmptyKey => "an empty name is invalid",
            Refused::TooManyMembers => "the baggage already has the maximum number of entries",
            Refused::TooManyBytes => "the encoded baggage would exceed the maximum size",
        })
    }
}

impl Baggage {
    /// An empty baggage.
    #[inline]
    pub const fn new() -> Self {
        Baggage {
            entries: Vec::new(),
            encoded_len: 0,
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
    /// An empty key, or an entry that would break the limits, is dropped with a diagnostic
    /// and the baggage is left unchanged.
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
    /// An empty key, or an entry that would break the limits, is dropped with a diagnostic
    /// and the baggage is left unchanged.
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
        match self.try_insert(key, value.into(), metadata.into()) {
            Ok(previous) => previous,
            Err((key, refused)) => {
                crate::otel_warn!(
                    "Baggage.EntryDropped",
                    "baggage entry {:?} dropped: {}",
                    key.as_str(),
                    refused
                );
                None
            }
        }
    }

    /// Inserts without reporting; on refusal gives the key back with the reason.
    pub(crate) fn try_insert(
        &mut self,
        key: Key,
        value: StringValue,
        metadata: BaggageMetadata,
    ) -> Result<Option<(StringValue, BaggageMetadata)>, (Key, Refused)> {
        if key.as_str().is_empty() {
            return Err((key, Refused::EmptyKey));
        }
        let new_len = member_len(key.as_str(), value.as_str(), metadata.as_str());
        match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                let (_, (old_value, old_metadata)) = &self.entries[i];
                let old_len = member_len(key.as_str(), old_value.as_str(), old_metadata.as_str());
                let total = self.encoded_len - old_len + new_len;
                if total > MAX_BYTES {
                    return Err((key, Refused::TooManyBytes));
                }
                self.encoded_len = total;
                Ok(Some(std::mem::replace(
                    &mut self.entries[i].1,
                    (value, metadata),
                )))
            }
            None => {
                if self.entries.len() >= MAX_LIST_MEMBERS {
                    return Err((key, Refused::TooManyMembers));
                }
                let comma = usize::from(!self.entries.is_empty());
                let total = self.encoded_len + comma + new_len;
                if total > MAX_BYTES {
                    return Err((key, Refused::TooManyBytes));
                }
                self.encoded_len = total;
                self.entries.push((key, (value, metadata)));
                Ok(None)
            }
        }
    }

    /// Removes `key` and returns its value and metadata.
    pub fn remove<K: AsRef<str>>(&mut self, key: K) -> Option<(StringValue, BaggageMetadata)> {
        let key = key.as_ref();
        let i = self.entries.iter().position(|(k, _)| k.as_str() == key)?;
        let (key, (value, metadata)) = self.entries.remove(i);
        let len = member_len(key.as_str(), value.as_str(), metadata.as_str());
        let comma = usize::from(!self.entries.is_empty());
        self.encoded_len -= len + comma;
        Some((value, metadata))
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

// ---- W3C encoding, shared with the propagator (sizes must match what it writes) ----

/// Whether `b` may appear unencoded in a W3C baggage value (`baggage-octet`).
#[inline]
pub(crate) fn is_baggage_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// Whether `b` is an RFC 7230 `tchar` (a character of a `token`).
#[inline]
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Whether `key` is a valid W3C baggage key (a non-empty token).
#[inline]
pub(crate) fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(is_token_char)
}

/// How a string is percent-encoded in a `baggage` header.
#[derive(Clone, Copy)]
enum Encoding {
    /// A value: every byte outside `baggage-octet`, and `%`, is encoded.
    Value,
    /// Metadata, kept in wire form: `;` and `=` stay, and so does a `%` that already starts
    /// an escape; any other `%` and bytes outside `baggage-octet` are encoded.
    Metadata,
}

/// Whether the byte at `i` is written as is.
#[inline]
fn is_plain(bytes: &[u8], i: usize, encoding: Encoding) -> bool {
    let b = bytes[i];
    match encoding {
        Encoding::Value => b != b'%' && is_baggage_octet(b),
        Encoding::Metadata => {
            if b == b'%' {
                starts_escape(bytes, i)
            } else {
                b == b';' || is_baggage_octet(b)
            }
        }
    }
}

/// Whether `%` at `i` is followed by two hex digits.
#[inline]
pub(crate) fn starts_escape(bytes: &[u8], i: usize) -> bool {
    bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
}

#[inline]
fn encoded_len(s: &str, encoding: Encoding) -> usize {
    let bytes = s.as_bytes();
    (0..bytes.len())
        .map(|i| if is_plain(bytes, i, encoding) { 1 } else { 3 })
        .sum()
}

/// Bytes of one encoded list member: `key=value` or `key=value;metadata`.
pub(crate) fn member_len(key: &str, value: &str, metadata: &str) -> usize {
    let mut len = key.len() + 1 + encoded_len(value, Encoding::Value);
    if !metadata.is_empty() {
        len += 1 + encoded_len(metadata, Encoding::Metadata);
    }
    len
}

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_encoded(out: &mut String, s: &str, encoding: Encoding) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if is_plain(bytes, i, encoding) {
            // Plain bytes are ASCII.
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(UPPER_HEX[usize::from(b >> 4)]));
            out.push(char::from(UPPER_HEX[usize::from(b & 0xf)]));
        }
    }
}

/// Appends one list member in W3C form. `key` must be a valid token.
pub(crate) fn push_member(out: &mut String, key: &str, value: &str, metadata: &str) {
    out.push_str(key);
    out.push('=');
    push_encoded(out, value, Encoding::Value);
    if !metadata.is_empty() {
        out.push(';');
        push_encoded(out, metadata, Encoding::Metadata);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_len(b: &Baggage) -> usize {
        let mut out = String::new();
        for (i, (k, (v, m))) in b.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_member(&mut out, k.as_str(), v.as_str(), m.as_str());
        }
        out.len()
    }

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
        assert!(b.is_empty());
        assert_eq!(
            b.try_insert(Key::from(""), "v".into(), Default::default())
                .unwrap_err()
                .1,
            Refused::EmptyKey
        );
    }

    #[test]
    fn remove_returns_the_entry_and_keeps_size_consistent() {
        let mut b: Baggage = [
            KeyValue::new("a", "1"),
            KeyValue::new("b", "2"),
            KeyValue::new("c", 3),
        ]
        .into_iter()
        .collect();
        assert_eq!(b.get("c").unwrap().as_str(), "3");
        assert_eq!(b.encoded_len, header_len(&b));
        assert_eq!(b.remove("b").unwrap().0.as_str(), "2");
        assert_eq!(b.encoded_len, header_len(&b));
        assert_eq!(b.remove("b"), None);
        b.remove("a");
        b.remove("c");
        assert_eq!(b.encoded_len, 0);
        assert!(b.is_empty());
    }

    #[test]
    fn member_limit_drops_new_entries_but_allows_replacing() {
        let mut b = Baggage::new();
        for i in 0..MAX_LIST_MEMBERS {
            b.insert(format!("k{i}"), "v");
        }
        assert_eq!(b.len(), MAX_LIST_MEMBERS);
        assert_eq!(b.insert("one-too-many", "v"), None);
        assert_eq!(b.get("one-too-many"), None);
        assert_eq!(b.len(), MAX_LIST_MEMBERS);
        assert!(b.insert("k3", "new").is_some());
        assert_eq!(b.get("k3").unwrap().as_str(), "new");
        assert_eq!(b.encoded_len, header_len(&b));
    }

    #[test]
    fn byte_limit_counts_the_encoded_header() {
        let mut b = Baggage::new();
        // "k=" + 8190 bytes is exactly 8192.
        b.insert("k", "x".repeat(MAX_BYTES - 2));
        assert_eq!(b.encoded_len, MAX_BYTES);
        assert_eq!(b.insert("a", "b"), None, "one more member does not fit");
        assert_eq!(b.len(), 1);
        // A space encodes to 3 bytes: this replacement would be too big and is dropped.
        b.insert("k", " ".repeat(MAX_BYTES / 3 + 1));
        assert_eq!(b.get("k").unwrap().as_str().len(), MAX_BYTES - 2);
        b.remove("k");
        assert_eq!(b.insert("k", "%".repeat(2730)), None);
        assert_eq!(b.encoded_len, 2 + 3 * 2730);
        assert_eq!(b.encoded_len, header_len(&b));
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
    fn encoding_rules() {
        let mut out = String::new();
        push_member(&mut out, "k", "DF 28%,;\"\\é=", "p;q=a b");
        assert_eq!(out, "k=DF%2028%25%2C%3B%22%5C%C3%A9=;p;q=a%20b");
        assert_eq!(member_len("k", "DF 28%,;\"\\é=", "p;q=a b"), out.len());
        let mut out = String::new();
        push_member(&mut out, "k", "v", "off=50%;x=%2C;y=%4");
        assert_eq!(out, "k=v;off=50%25;x=%2C;y=%254");
        assert_eq!(member_len("k", "v", "off=50%;x=%2C;y=%4"), out.len());
        assert!(is_valid_key("user.id_x-1!#$%&'*+^`|~"));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key("a b"));
        assert!(!is_valid_key("a=b"));
        assert!(!is_valid_key("é"));
    }

    #[test]
    fn metadata_is_trimmed() {
        assert_eq!(BaggageMetadata::from(String::from(" x ")).as_str(), "x");
        assert_eq!(BaggageMetadata::from(String::from("x")).to_string(), "x");
    }
}
