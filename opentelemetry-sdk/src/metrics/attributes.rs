//! Attribute sets on the measurement path: an order-independent hash computed without
//! allocating, comparison of a caller's slice against a stored (sorted, de-duplicated) set,
//! and normalisation for new series.
//!
//! The hash of a set is the wrapping sum of a well-mixed hash of each key-value pair, so the
//! same pairs in any order hash alike. Values compare by bits for floats, so that the
//! comparison agrees with the hash (NaN equals NaN, `-0.0` differs from `0.0`).

use opentelemetry_api::{Array, Key, KeyValue, Value};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;
const SEED: u64 = 0x243f_6a88_85a3_08d3;

#[inline]
fn step(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(K)
}

#[inline]
fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = step(h, u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = step(h, u64::from_le_bytes(word));
    }
    step(h, bytes.len() as u64)
}

/// The finaliser of MurmurHash3: spreads every input bit over the whole word.
#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn hash_value(h: u64, value: &Value) -> u64 {
    match value {
        Value::Bool(b) => step(step(h, 1), *b as u64),
        Value::I64(i) => step(step(h, 2), *i as u64),
        Value::F64(f) => step(step(h, 3), f.to_bits()),
        Value::String(s) => hash_bytes(step(h, 4), s.as_str().as_bytes()),
        Value::Array(a) => {
            let h = step(h, 5);
            match a {
                Array::Bool(v) => v.iter().fold(step(h, 1), |h, b| step(h, *b as u64)),
                Array::I64(v) => v.iter().fold(step(h, 2), |h, i| step(h, *i as u64)),
                Array::F64(v) => v.iter().fold(step(h, 3), |h, f| step(h, f.to_bits())),
                Array::String(v) => v
                    .iter()
                    .fold(step(h, 4), |h, s| hash_bytes(h, s.as_str().as_bytes())),
            }
        }
    }
}

/// The hash of one attribute.
#[inline]
fn hash_kv(kv: &KeyValue) -> u64 {
    mix(hash_value(
        hash_bytes(SEED, kv.key.as_str().as_bytes()),
        &kv.value,
    ))
}

/// The order-independent hash of the attributes whose key passes `keep`, and how many
/// passed.
#[inline]
pub(crate) fn hash_set<F: Fn(&Key) -> bool>(attributes: &[KeyValue], keep: F) -> (u64, usize) {
    let mut sum = 0u64;
    let mut n = 0usize;
    for kv in attributes {
        if keep(&kv.key) {
            sum = sum.wrapping_add(hash_kv(kv));
            n += 1;
        }
    }
    (sum, n)
}

/// Whether two values are the same, comparing floats by bits (consistent with the hash).
#[inline]
pub(crate) fn value_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::F64(x), Value::F64(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(Array::F64(x)), Value::Array(Array::F64(y))) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits())
        }
        (Value::String(x), Value::String(y)) => x.as_str() == y.as_str(),
        _ => a == b,
    }
}

#[inline]
fn kv_eq(a: &KeyValue, b: &KeyValue) -> bool {
    a.key.as_str() == b.key.as_str() && value_eq(&a.value, &b.value)
}

/// Whether the attributes of `input` that pass `keep` (`kept` of them) are exactly the set
/// `stored` (sorted by key, unique keys).
#[inline]
pub(crate) fn matches<F: Fn(&Key) -> bool>(
    stored: &[KeyValue],
    input: &[KeyValue],
    kept: usize,
    keep: F,
) -> bool {
    if kept != stored.len() {
        return false;
    }
    // The common case: the caller passes the attributes in the stored (sorted) order.
    if kept == input.len() && stored.iter().zip(input).all(|(s, i)| kv_eq(s, i)) {
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

/// The hash of a normalised set (same as [`hash_set`] on it).
pub(crate) fn hash_normalized(attributes: &[KeyValue]) -> u64 {
    hash_set(attributes, |_| true).0
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

/// A hasher for maps keyed by an already well-mixed `u64` hash: passes it through.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by the maps keyed with hashes; fold anything else in.
        self.0 = hash_bytes(self.0, bytes);
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(crate) type BuildPassThrough = BuildHasherDefault<PassThrough>;

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &Key) -> bool {
        true
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
    fn matching_handles_order_duplicates_and_filters() {
        let stored = normalize(&[KeyValue::new("b", 2), KeyValue::new("a", 1)], all);
        assert_eq!(stored, [KeyValue::new("a", 1), KeyValue::new("b", 2)]);
        let unsorted = [KeyValue::new("b", 2), KeyValue::new("a", 1)];
        assert!(matches(&stored, &unsorted, 2, all));
        let dup = [KeyValue::new("a", 1), KeyValue::new("a", 1)];
        assert!(
            !matches(&stored, &dup, 2, all),
            "a duplicate key is not the set"
        );
        let extra = [
            KeyValue::new("b", 2),
            KeyValue::new("c", 3),
            KeyValue::new("a", 1),
        ];
        let no_c = |k: &Key| k.as_str() != "c";
        assert!(matches(&stored, &extra, hash_set(&extra, no_c).1, no_c));
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
