//! Identifiers, flags, trace state and the span context that carries them.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Decodes exactly `N * 2` hex digits (either case) into bytes.
#[inline]
pub(crate) fn decode_hex<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        out[i] = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
    }
    Some(out)
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Encodes bytes as lowercase hex into `out` (which must be twice as long).
#[inline]
pub(crate) fn encode_hex(bytes: &[u8], out: &mut [u8]) {
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 0xf) as usize];
    }
}

/// A 16-byte trace identifier; all zeros is invalid.
///
/// ```
/// use opentelemetry_api::trace::TraceId;
/// let id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_ne!(id, TraceId::INVALID);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TraceId(u128);

impl TraceId {
    /// The invalid (all-zero) trace ID.
    pub const INVALID: TraceId = TraceId(0);

    /// Creates a trace ID from its 16 big-endian bytes.
    #[inline]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        TraceId(u128::from_be_bytes(bytes))
    }

    /// The 16 big-endian bytes.
    #[inline]
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }

    /// Parses 32 hex digits (upper or lower case).
    pub fn from_hex(hex: &str) -> Result<Self, Error> {
        decode_hex::<16>(hex.as_bytes())
            .map(TraceId::from_bytes)
            .ok_or(Error::Other("a trace ID is 32 hex digits".into()))
    }

    /// Whether this is a valid (non-zero) ID.
    #[inline]
    pub const fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The ID as 32 lowercase hex digits, without allocating.
    #[inline]
    pub fn to_hex(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        encode_hex(&self.to_bytes(), &mut out);
        out
    }
}

impl From<u128> for TraceId {
    fn from(v: u128) -> Self {
        TraceId(v)
    }
}

impl From<TraceId> for u128 {
    fn from(v: TraceId) -> Self {
        v.0
    }
}

impl fmt::LowerHex for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.to_hex();
        // Hex digits are ASCII.
        f.write_str(std::str::from_utf8(&hex).unwrap_or_default())
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

/// An 8-byte span identifier; all zeros is invalid.
///
/// ```
/// use opentelemetry_api::trace::SpanId;
/// let id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
/// assert_eq!(id.to_string(), "00f067aa0ba902b7");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SpanId(u64);

impl SpanId {
    /// The invalid (all-zero) span ID.
    pub const INVALID: SpanId = SpanId(0);

    /// Creates a span ID from its 8 big-endian bytes.
    #[inline]
    pub const fn from_bytes(bytes: [u8; 8]) -> Self {
        SpanId(u64::from_be_bytes(bytes))
    }

    /// The 8 big-endian bytes.
    #[inline]
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    /// Parses 16 hex digits (upper or lower case).
    pub fn from_hex(hex: &str) -> Result<Self, Error> {
        decode_hex::<8>(hex.as_bytes())
            .map(SpanId::from_bytes)
            .ok_or(Error::Other("a span ID is 16 hex digits".into()))
    }

    /// Whether this is a valid (non-zero) ID.
    #[inline]
    pub const fn is_valid(self) -> bool {
        self.0 != 0
    }

    /// The ID as 16 lowercase hex digits, without allocating.
    #[inline]
    pub fn to_hex(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        encode_hex(&self.to_bytes(), &mut out);
        out
    }
}

impl From<u64> for SpanId {
    fn from(v: u64) -> Self {
        SpanId(v)
    }
}

impl From<SpanId> for u64 {
    fn from(v: SpanId) -> Self {
        v.0
    }
}

impl fmt::LowerHex for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.to_hex();
        f.write_str(std::str::from_utf8(&hex).unwrap_or_default())
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

/// The W3C trace flags: `sampled` (bit 0) and, from Trace Context Level 2, `random` (bit 1).
///
/// ```
/// use opentelemetry_api::trace::TraceFlags;
/// let flags = TraceFlags::SAMPLED | TraceFlags::RANDOM;
/// assert!(flags.is_sampled() && flags.is_random());
/// assert_eq!(flags.to_u8(), 0x03);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// No flags.
    pub const NOT_SAMPLED: TraceFlags = TraceFlags(0);
    /// The caller may have recorded the trace.
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);
    /// At least the right-most 7 bytes of the trace ID are random (W3C Level 2).
    pub const RANDOM: TraceFlags = TraceFlags(0x02);

    /// Flags from their byte.
    #[inline]
    pub const fn new(flags: u8) -> Self {
        TraceFlags(flags)
    }

    /// Whether the sampled bit is set.
    #[inline]
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// Whether the random bit is set.
    #[inline]
    pub const fn is_random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }

    /// These flags with the sampled bit set or cleared.
    #[inline]
    pub const fn with_sampled(self, sampled: bool) -> Self {
        if sampled {
            TraceFlags(self.0 | Self::SAMPLED.0)
        } else {
            TraceFlags(self.0 & !Self::SAMPLED.0)
        }
    }

    /// These flags with the random bit set or cleared.
    #[inline]
    pub const fn with_random(self, random: bool) -> Self {
        if random {
            TraceFlags(self.0 | Self::RANDOM.0)
        } else {
            TraceFlags(self.0 & !Self::RANDOM.0)
        }
    }

    /// The flags byte.
    #[inline]
    pub const fn to_u8(self) -> u8 {
        self.0
    }
}

impl std::ops::BitOr for TraceFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        TraceFlags(self.0 | rhs.0)
    }
}

impl std::ops::BitAnd for TraceFlags {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        TraceFlags(self.0 & rhs.0)
    }
}

impl fmt::Debug for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceFlags({:02x})", self.0)
    }
}

impl fmt::LowerHex for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// The most entries a trace state holds (W3C).
pub const TRACE_STATE_MAX_ENTRIES: usize = 32;

/// Vendor-specific trace data: an ordered list of up to 32 key-value entries, validated with
/// the W3C rules. Immutable: every change returns a new trace state, and the changed entry
/// moves to the front.
///
/// ```
/// use opentelemetry_api::trace::TraceState;
/// let ts: TraceState = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".parse().unwrap();
/// let ts = ts.insert("congo", "new").unwrap();
/// assert_eq!(ts.header(), "congo=new,rojo=00f067aa0ba902b7");
/// assert_eq!(ts.delete("rojo").unwrap().header(), "congo=new");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct TraceState(Option<Arc<[TraceStateEntry]>>);

type TraceStateEntry = (Box<str>, Box<str>);

impl TraceState {
    /// The empty trace state.
    pub const NONE: TraceState = TraceState(None);

    /// Whether `key` is a valid W3C trace state key.
    pub fn is_valid_key(key: &str) -> bool {
        let b = key.as_bytes();
        if b.is_empty() || b.len() > 256 {
            return false;
        }
        if !(b[0].is_ascii_lowercase() || b[0].is_ascii_digit()) {
            return false;
        }
        b[1..].iter().all(|&c| {
            c.is_ascii_lowercase()
                || c.is_ascii_digit()
                || matches!(c, b'_' | b'-' | b'*' | b'/' | b'@')
        })
    }

    /// Whether `value` is a valid W3C trace state value.
    pub fn is_valid_value(value: &str) -> bool {
        let b = value.as_bytes();
        if b.is_empty() || b.len() > 256 {
            return false;
        }
        if b[b.len() - 1] == b' ' {
            return false;
        }
        b.iter()
            .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
    }

    /// Builds a trace state from entries in order; a key given twice is an error.
    pub fn from_key_value<K, V, I>(entries: I) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
        I: IntoIterator<Item = (K, V)>,
    {
        let mut list: Vec<TraceStateEntry> = Vec::new();
        for (k, v) in entries {
            let (k, v) = (k.as_ref(), v.as_ref());
            if !Self::is_valid_key(k) {
                return Err(Error::InvalidTraceState(
                    format!("invalid key {k:?}").into(),
                ));
            }
            if !Self::is_valid_value(v) {
                return Err(Error::InvalidTraceState(
                    format!("invalid value {v:?}").into(),
                ));
            }
            if list.iter().any(|(existing, _)| &**existing == k) {
                return Err(Error::InvalidTraceState(
                    format!("duplicate key {k:?}").into(),
                ));
            }
            list.push((k.into(), v.into()));
        }
        if list.len() > TRACE_STATE_MAX_ENTRIES {
            return Err(Error::InvalidTraceState(
                format!("{} entries; at most {TRACE_STATE_MAX_ENTRIES}", list.len()).into(),
            ));
        }
        Ok(if list.is_empty() {
            TraceState::NONE
        } else {
            TraceState(Some(list.into()))
        })
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (&**k, &**v))
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |l| l.len())
    }

    /// Whether there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new trace state with `key` set to `value` at the front (replacing any earlier entry
    /// for `key`); when that would exceed 32 entries the right-most entry is removed.
    pub fn insert<K: AsRef<str>, V: AsRef<str>>(&self, key: K, value: V) -> Result<Self, Error> {
        let (key, value) = (key.as_ref(), value.as_ref());
        if !Self::is_valid_key(key) {
            return Err(Error::InvalidTraceState(
                format!("invalid key {key:?}").into(),
            ));
        }
        if !Self::is_valid_value(value) {
            return Err(Error::InvalidTraceState(
                format!("invalid value {value:?}").into(),
            ));
        }
        let mut list: Vec<TraceStateEntry> = Vec::with_capacity(self.len() + 1);
        list.push((key.into(), value.into()));
        list.extend(
            self.0
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .filter(|(k, _)| &**k != key)
                .cloned(),
        );
        list.truncate(TRACE_STATE_MAX_ENTRIES);
        Ok(TraceState(Some(list.into())))
    }

    /// A new trace state without `key`.
    pub fn delete<K: AsRef<str>>(&self, key: K) -> Result<Self, Error> {
        let key = key.as_ref();
        if !Self::is_valid_key(key) {
            return Err(Error::InvalidTraceState(
                format!("invalid key {key:?}").into(),
            ));
        }
        let list: Vec<_> = self
            .0
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter(|(k, _)| &**k != key)
            .cloned()
            .collect();
        Ok(if list.is_empty() {
            TraceState::NONE
        } else {
            TraceState(Some(list.into()))
        })
    }

    /// The W3C header value: `k1=v1,k2=v2`.
    pub fn header(&self) -> String {
        self.header_delimited("=", ",")
    }

    /// The entries joined with custom delimiters.
    pub fn header_delimited(&self, entry_delimiter: &str, list_delimiter: &str) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.entries().enumerate() {
            if i > 0 {
                out.push_str(list_delimiter);
            }
            out.push_str(k);
            out.push_str(entry_delimiter);
            out.push_str(v);
        }
        out
    }
}

impl FromStr for TraceState {
    type Err = Error;

    /// Parses a W3C `tracestate` header value. Empty and whitespace-only members are skipped;
    /// any invalid member, a duplicate key or more than 32 members makes the whole value
    /// invalid.
    fn from_str(header: &str) -> Result<Self, Error> {
        let mut entries = Vec::new();
        for member in header.split(',') {
            let member = member.trim_matches(|c| c == ' ' || c == '\t');
            if member.is_empty() {
                continue;
            }
            let (k, v) = member
                .split_once('=')
                .ok_or_else(|| Error::InvalidTraceState(format!("no '=' in {member:?}").into()))?;
            entries.push((k, v));
        }
        TraceState::from_key_value(entries)
    }
}

impl fmt::Debug for TraceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

/// The part of a span that propagates: trace and span IDs, flags, trace state, and whether it
/// came from another process.
///
/// ```
/// use opentelemetry_api::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
/// let sc = SpanContext::new(
///     TraceId::from(1u128), SpanId::from(2u64), TraceFlags::SAMPLED, true, TraceState::NONE);
/// assert!(sc.is_valid() && sc.is_remote() && sc.is_sampled());
/// assert!(!SpanContext::NONE.is_valid());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SpanContext {
    trace_id: TraceId,
    span_id: SpanId,
    trace_flags: TraceFlags,
    is_remote: bool,
    trace_state: TraceState,
}

impl SpanContext {
    /// The invalid, empty span context.
    pub const NONE: SpanContext = SpanContext {
        trace_id: TraceId::INVALID,
        span_id: SpanId::INVALID,
        trace_flags: TraceFlags::NOT_SAMPLED,
        is_remote: false,
        trace_state: TraceState::NONE,
    };

    /// Creates a span context.
    #[inline]
    pub fn new(
        trace_id: TraceId,
        span_id: SpanId,
        trace_flags: TraceFlags,
        is_remote: bool,
        trace_state: TraceState,
    ) -> Self {
        SpanContext {
            trace_id,
            span_id,
            trace_flags,
            is_remote,
            trace_state,
        }
    }

    /// The empty span context (same as [`SpanContext::NONE`]).
    pub fn empty_context() -> Self {
        SpanContext::NONE
    }

    /// The trace ID.
    #[inline]
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The span ID.
    #[inline]
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// The trace flags.
    #[inline]
    pub fn trace_flags(&self) -> TraceFlags {
        self.trace_flags
    }

    /// The trace state.
    #[inline]
    pub fn trace_state(&self) -> &TraceState {
        &self.trace_state
    }

    /// Whether both IDs are valid (non-zero).
    #[inline]
    pub fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }

    /// Whether the context was propagated from a remote parent.
    #[inline]
    pub fn is_remote(&self) -> bool {
        self.is_remote
    }

    /// Whether the sampled flag is set.
    #[inline]
    pub fn is_sampled(&self) -> bool {
        self.trace_flags.is_sampled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_hex_and_bytes() {
        let t = TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").unwrap();
        assert_eq!(t.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(TraceId::from_bytes(t.to_bytes()), t);
        assert!(TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e473").is_err());
        assert!(TraceId::from_hex("+bf92f3577b34da6a3ce929d0e0e4736").is_err());
        let s = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        assert_eq!(format!("{s}"), "00f067aa0ba902b7");
        assert_eq!(format!("{:x}", SpanId::from(0xabu64)), "ab");
        assert!(!SpanId::INVALID.is_valid());
    }

    #[test]
    fn flags() {
        let f = TraceFlags::default().with_sampled(true).with_random(true);
        assert_eq!(f.to_u8(), 3);
        assert!(!f.with_sampled(false).is_sampled());
        assert!(f.with_sampled(false).is_random());
    }

    #[test]
    fn trace_state_validation() {
        assert!(TraceState::is_valid_key("a"));
        assert!(TraceState::is_valid_key("0abc_-*/@x"));
        assert!(TraceState::is_valid_key("tenant@vendor"));
        assert!(!TraceState::is_valid_key("Abc"));
        assert!(!TraceState::is_valid_key("_abc"));
        assert!(!TraceState::is_valid_key(""));
        assert!(TraceState::is_valid_key(&"a".repeat(256)));
        assert!(!TraceState::is_valid_key(&"a".repeat(257)));
        assert!(TraceState::is_valid_value(" leading space ok"));
        assert!(!TraceState::is_valid_value("trailing "));
        assert!(!TraceState::is_valid_value("a,b"));
        assert!(!TraceState::is_valid_value("a=b"));
        assert!(!TraceState::is_valid_value("tab\t"));
        assert!(!TraceState::is_valid_value(""));
    }

    #[test]
    fn trace_state_parsing() {
        let ts: TraceState = " a=1 ,\t, b=2,".parse().unwrap();
        assert_eq!(ts.header(), "a=1,b=2");
        assert!(
            "a=1,a=2".parse::<TraceState>().is_err(),
            "duplicate keys are invalid"
        );
        assert!("a".parse::<TraceState>().is_err());
        assert!("".parse::<TraceState>().unwrap().is_empty());
        let many: String = (0..33)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(many.parse::<TraceState>().is_err());
        let max: String = (0..32)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(max.parse::<TraceState>().unwrap().len(), 32);
    }

    #[test]
    fn trace_state_insert_moves_to_front_and_caps_at_32() {
        let max: String = (0..32)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",");
        let ts: TraceState = max.parse().unwrap();
        let ts2 = ts.insert("new", "x").unwrap();
        assert_eq!(ts2.len(), 32);
        assert_eq!(ts2.entries().next(), Some(("new", "x")));
        assert_eq!(ts2.get("k31"), None, "right-most entry dropped");
        let ts3 = ts2.insert("k5", "y").unwrap();
        assert_eq!(ts3.entries().next(), Some(("k5", "y")));
        assert_eq!(ts3.len(), 32);
        assert!(ts.insert("BAD", "x").is_err());
        assert_eq!(ts.get("k0"), Some("v"), "original unchanged");
    }
}
