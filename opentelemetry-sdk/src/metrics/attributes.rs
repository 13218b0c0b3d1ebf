//! Attribute sets on the measurement path: an order-independent hash computed without
//! allocating, comparison of a caller's slice against a stored (sorted, de-duplicated) set,
//! and normalisation for new series.
//!
//! The hash of a set is the wrapping sum of a well-mixed hash of each key-value pair, so the
//! same pairs in any order hash alike. Values compare by bits for floats, so that the
//! comparison agrees with the hash (NaN equals NaN, `-0.0` differs from `0.0`).

use opentelemetry_api::{Array, Key, KeyValue, Value};
use std::collections::HashSet;

// The multipliers of wyhash: odd, with well-spread bits.
const P0: u64 = 0xa076_1d64_78bd_642f;
const P1: u64 = 0xe703_7ed1_a0b4_28db;
const P2: u64 = 0x8ebc_6af0_9c88_c6e3;
const P3: u64 = 0x5899_65cc_7537_4cc3;

/// The high and low halves of the full product, folded: one multiplication mixes every bit
/// of both operands into the result.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

#[inline(always)]
fn read8(b: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(word)
}

#[inline(always)]
fn read4(b: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&b[at..at + 4]);
    u64::from(u32::from_le_bytes(word))
}

/// A fast hash of a byte string in the manner of wyhash: whole (possibly overlapping) words
/// are loaded directly, never copied piecewise into a buffer (a partial copy followed by a
/// word load stalls on store forwarding), and 16 bytes go into each multiplication.
#[inline]
fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let mut seed = seed ^ (len as u64).wrapping_mul(P0);
    let (a, b) = if len <= 16 {
        if len >= 8 {
            (read8(bytes, 0), read8(bytes, len - 8))
        } else if len >= 4 {
            (read4(bytes, 0), read4(bytes, len - 4))
        } else if len > 0 {
            let w = (u64::from(bytes[0]) << 16)
                | (u64::from(bytes[len / 2]) << 8)
                | u64::from(bytes[len - 1]);
            (w, 0)
        } else {
            (0, 0)
        }
    } else {
        let mut at = 0;
        while len - at > 16 {
            seed = fold_mul(read8(bytes, at) ^ P1, read8(bytes, at + 8) ^ seed);
            at += 16;
        }
        (read8(bytes, len - 16), read8(bytes, len - 8))
    };
    fold_mul(a ^ P1, b ^ seed ^ P2)
}

/// One word with a type tag.
#[inline(always)]
fn hash_word(tag: u64, word: u64) -> u64 {
    fold_mul(word ^ P2, tag ^ P3)
}

#[inline(always)]
fn hash_value(value: &Value) -> u64 {
    match value {
        Value::String(s) => hash_bytes(P3, s.as_str().as_bytes()),
        Value::I64(i) => hash_word(2, *i as u64),
        Value::Bool(b) => hash_word(1, u64::from(*b)),
        Value::F64(f) => hash_word(3, f.to_bits()),
        Value::Array(a) => hash_array(a),
    }
}

#[cold]
fn hash_array(a: &Array) -> u64 {
    let (tag, words): (u64, Vec<u64>) = match a {
        Array::Bool(v) => (5, v.iter().map(|b| u64::from(*b)).collect()),
        Array::I64(v) => (6, v.iter().map(|i| *i as u64).collect()),
        Array::F64(v) => (7, v.iter().map(|f| f.to_bits()).collect()),
        Array::String(v) => (
            8,
            v.iter()
                .map(|s| hash_bytes(P1, s.as_str().as_bytes()))
                .collect(),
        ),
    };
    words
        .iter()
        .fold(hash_word(tag, words.len() as u64), |h, w| hash_word(h, *w))
}

/// The hash of one attribute: its key's text and its typed value (the string "1" and the
/// integer 1 differ).
// Always inlined: it runs for every attribute of every measurement, and the compiler stops
// inlining it on its own once the string accessors behind it grow.
#[inline(always)]
pub(crate) fn hash_kv(kv: &KeyValue) -> u64 {
    fold_mul(
        hash_bytes(P0, kv.key.as_str().as_bytes()) ^ P1,
        hash_value(&kv.value) ^ P3,
    )
}

/// How many attribute hashes a [`Probe`] keeps on the stack.
pub(crate) const INLINE: usize = 16;

/// The hashes of a caller's attributes: the order-independent hash of the set (the wrapping
/// sum of each attribute's hash) and, for up to [`INLINE`] attributes, each one's hash in
/// the caller's order, so that matching a stored set compares words before any text.
pub(crate) struct Probe {
    pub(crate) hash: u64,
    /// How many attributes passed the filter.
    pub(crate) kept: usize,
    each: [u64; INLINE],
}

impl Probe {
    /// No attributes yet.
    #[inline(always)]
    pub(crate) fn empty() -> Probe {
        Probe {
            hash: 0,
            kept: 0,
            each: [0; INLINE],
        }
    }

    /// Adds the hashes of the attributes whose key passes `keep`. (Filled in place: a
    /// constructor returning the probe by value made the compiler copy it with `memcpy`.)
    #[inline(always)]
    pub(crate) fn fill<F: Fn(&Key) -> bool>(&mut self, attributes: &[KeyValue], keep: F) {
        for kv in attributes {
            if keep(&kv.key) {
                let h = hash_kv(kv);
                if let Some(slot) = self.each.get_mut(self.kept) {
                    *slot = h;
                }
                self.hash = self.hash.wrapping_add(h);
                self.kept += 1;
            }
        }
    }
}

/// The order-independent hash of the attributes whose key passes `keep`, and how many
/// passed.
#[cfg(test)]
pub(crate) fn hash_set<F: Fn(&Key) -> bool>(attributes: &[KeyValue], keep: F) -> (u64, usize) {
    let mut p = Probe::empty();
    p.fill(attributes, keep);
    (p.hash, p.kept)
}

/// Text equality, with the shortcut of the same text (a `&'static str` or a shared `Arc`
/// kept from the caller's attribute when the set was stored).
#[inline(always)]
fn str_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && (std::ptr::eq(a.as_ptr(), b.as_ptr()) || a.as_bytes() == b.as_bytes())
}

/// Whether two values are the same, comparing floats by bits (consistent with the hash).
/// Always inlined, like [`hash_kv`].
#[inline(always)]
pub(crate) fn value_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => str_eq(x.as_str(), y.as_str()),
        (Value::I64(x), Value::I64(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::F64(x), Value::F64(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => array_eq(x, y),
        _ => false,
    }
}

#[cold]
fn array_eq(a: &Array, b: &Array) -> bool {
    match (a, b) {
        (Array::F64(x), Array::F64(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        _ => a == b,
    }
}

#[inline(always)]
fn kv_eq(a: &KeyValue, b: &KeyValue) -> bool {
    str_eq(a.key.as_str(), b.key.as_str()) && value_eq(&a.value, &b.value)
}

/// Whether two normalised sets (sorted by key, unique keys) are the same.
#[inline]
pub(crate) fn set_eq(a: &[KeyValue], b: &[KeyValue]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| kv_eq(a, b))
}

/// Whether the attributes of `input` that pass `keep` (`probe` holds their hashes) are
/// exactly the stored set `stored` (sorted by key, unique keys), whose attributes hash to
/// `stored_hashes`.
#[inline]
pub(crate) fn matches<F: Fn(&Key) -> bool>(
    stored: &[KeyValue],
    stored_hashes: &[u64],
    input: &[KeyValue],
    probe: &Probe,
    keep: F,
) -> bool {
    let kept = probe.kept;
    if kept != stored.len() {
        return false;
    }
    if kept > INLINE {
        return matches_by_key(stored, input, keep);
    }
    let hashes = &probe.each[..kept];
    // The common case: the caller passes the attributes in the stored order, unfiltered.
    if kept == input.len()
        && hashes.iter().zip(stored_hashes).all(|(a, b)| a == b)
        && stored.iter().zip(input).all(|(s, i)| kv_eq(s, i))
    {
        return true;
    }
    // Any order: find each attribute among the stored ones by its hash, each stored one at
    // most once (so a repeated key in the input is not the set).
    let mut seen = 0u32;
    for (kv, h) in input.iter().filter(|kv| keep(&kv.key)).zip(hashes) {
        let found = stored_hashes
            .iter()
            .enumerate()
            .position(|(j, sh)| sh == h && seen & (1 << j) == 0 && kv_eq(&stored[j], kv));
        match found {
            Some(j) => seen |= 1 << j,
            None => return false,
        }
    }
    true
}

/// [`matches`] for sets too large for a [`Probe`] to keep each hash: binary search by key.
#[cold]
fn matches_by_key<F: Fn(&Key) -> bool>(stored: &[KeyValue], input: &[KeyValue], keep: F) -> bool {
    if stored.len() == input.len() && stored.iter().zip(input).all(|(s, i)| kv_eq(s, i)) {
        return true;
    }
    if stored.len() > 64 {
        // Too many to track with a bit mask: the caller takes the normalising path.
        return false;
    }
    let mut seen = 0u64;
    for kv in input.iter().filter(|kv| keep(&kv.key)) {
        match stored.binary_search_by(|s| s.key.as_str().cmp(kv.key.as_str())) {
            Ok(i) if value_eq(&stored[i].value, &kv.value) => seen |= 1 << i,
            _ => return false,
        }
    }
    // Every stored key covered once: the input had no duplicate keys.
    seen.count_ones() as usize == stored.len()
}

/// The attributes passing `keep`, sorted by key, keeping the last value of a repeated key.
pub(crate) fn normalize<F: Fn(&Key) -> bool>(attributes: &[KeyValue], keep: F) -> Vec<KeyValue> {
    let mut out: Vec<KeyValue> = attributes
        .iter()
        .filter(|kv| keep(&kv.key))
        .cloned()
        .collect();
    // Stable: among equal keys the caller's order is kept, so the last one is the last set.
    out.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    let mut deduped: Vec<KeyValue> = Vec::with_capacity(out.len());
    for kv in out {
        match deduped.last_mut() {
            Some(last) if last.key == kv.key => *last = kv,
            _ => deduped.push(kv),
        }
    }
    deduped
}

/// The hash of a normalised set (the same as a [`probe`] of it).
pub(crate) fn hash_normalized(attributes: &[KeyValue]) -> u64 {
    attributes
        .iter()
        .fold(0u64, |sum, kv| sum.wrapping_add(hash_kv(kv)))
}

/// Which attribute keys a stream keeps: a view's allow-list and/or deny-list.
#[derive(Clone, Debug, Default)]
pub(crate) struct AttributeFilter {
    allowed: Option<HashSet<Key>>,
    excluded: HashSet<Key>,
}

impl AttributeFilter {
    /// A filter, or `None` when it keeps everything.
    pub(crate) fn new(allowed: Option<&[Key]>, excluded: &[Key]) -> Option<Self> {
        if allowed.is_none() && excluded.is_empty() {
            return None;
        }
        Some(AttributeFilter {
            allowed: allowed.map(|a| a.iter().cloned().collect()),
            excluded: excluded.iter().cloned().collect(),
        })
    }

    #[inline]
    pub(crate) fn keeps(&self, key: &Key) -> bool {
        self.allowed.as_ref().map_or(true, |a| a.contains(key)) && !self.excluded.contains(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &Key) -> bool {
        true
    }

    fn m<F: Fn(&Key) -> bool + Copy>(stored: &[KeyValue], input: &[KeyValue], keep: F) -> bool {
        let hashes: Vec<u64> = stored.iter().map(hash_kv).collect();
        let mut probe = Probe::empty();
        probe.fill(input, keep);
        matches(stored, &hashes, input, &probe, keep)
    }

    #[test]
    fn hash_ignores_order_and_distinguishes_values() {
        let a = [KeyValue::new("a", 1), KeyValue::new("b", "x")];
        let b = [KeyValue::new("b", "x"), KeyValue::new("a", 1)];
        assert_eq!(hash_set(&a, all), hash_set(&b, all));
        let c = [KeyValue::new("a", 2), KeyValue::new("b", "x")];
        assert_ne!(hash_set(&a, all).0, hash_set(&c, all).0);
        let d = [KeyValue::new("a", "1"), KeyValue::new("b", "x")];
        assert_ne!(
            hash_set(&a, all).0,
            hash_set(&d, all).0,
            "string 1 vs int 1"
        );
    }

    #[test]
    fn byte_hash_reads_every_byte_of_every_length() {
        let text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut seen = HashSet::new();
        for len in 0..=text.len() {
            let base = &text.as_bytes()[..len];
            assert!(seen.insert(hash_bytes(P0, base)), "length {len}");
            // Changing any single byte changes the hash.
            for at in 0..len {
                let mut changed = base.to_vec();
                changed[at] ^= 0x20;
                assert_ne!(hash_bytes(P0, &changed), hash_bytes(P0, base), "{len} {at}");
            }
        }
    }

    #[test]
    fn owned_shared_and_static_text_hash_and_match_alike() {
        let stat = [KeyValue::new("route", "/users/{id}"), KeyValue::new("k", 1)];
        let owned = [
            KeyValue::new(String::from("k"), 1),
            KeyValue::new(
                Key::from(std::sync::Arc::<str>::from("route")),
                String::from("/users/{id}"),
            ),
        ];
        assert_eq!(hash_set(&stat, all).0, hash_set(&owned, all).0);
        let stored = normalize(&stat, all);
        assert!(m(&stored, &owned, all));
        assert!(m(&stored, &stat, all));
    }

    #[test]
    fn large_sets_match_in_any_order() {
        let keys: Vec<String> = (0..40).map(|i| format!("key.{i:02}")).collect();
        let input: Vec<KeyValue> = keys
            .iter()
            .rev()
            .map(|k| KeyValue::new(k.clone(), k.len() as i64))
            .collect();
        let stored = normalize(&input, all);
        assert!(m(&stored, &input, all));
        let mut other = input.clone();
        other[3] = KeyValue::new(keys[36].clone(), 0);
        assert!(!m(&stored, &other, all));
    }

    #[test]
    fn matching_handles_order_duplicates_and_filters() {
        let stored = normalize(&[KeyValue::new("b", 2), KeyValue::new("a", 1)], all);
        assert_eq!(stored, [KeyValue::new("a", 1), KeyValue::new("b", 2)]);
        let unsorted = [KeyValue::new("b", 2), KeyValue::new("a", 1)];
        assert!(m(&stored, &unsorted, all));
        let dup = [KeyValue::new("a", 1), KeyValue::new("a", 1)];
        assert!(!m(&stored, &dup, all), "a duplicate key is not the set");
        let extra = [
            KeyValue::new("b", 2),
            KeyValue::new("c", 3),
            KeyValue::new("a", 1),
        ];
        let no_c = |k: &Key| k.as_str() != "c";
        assert!(m(&stored, &extra, no_c));
    }

    #[test]
    fn normalize_keeps_the_last_value_of_a_repeated_key() {
        let n = normalize(
            &[
                KeyValue::new("k", 1),
                KeyValue::new("a", true),
                KeyValue::new("k", 2),
            ],
            all,
        );
        assert_eq!(n, [KeyValue::new("a", true), KeyValue::new("k", 2)]);
    }

    #[test]
    fn floats_compare_by_bits() {
        assert!(value_eq(&Value::F64(f64::NAN), &Value::F64(f64::NAN)));
        assert!(!value_eq(&Value::F64(0.0), &Value::F64(-0.0)));
    }

    #[test]
    fn filters_allow_and_deny() {
        let f =
            AttributeFilter::new(Some(&[Key::new("a"), Key::new("b")]), &[Key::new("b")]).unwrap();
        assert!(f.keeps(&Key::new("a")));
        assert!(!f.keeps(&Key::new("b")), "excluded wins");
        assert!(!f.keeps(&Key::new("c")));
        assert!(AttributeFilter::new(None, &[]).is_none());
    }
}
