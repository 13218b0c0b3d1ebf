//! The OTLP/JSON field encodings (the proto3 JSON mapping with OTLP's deviations), used through
//! `#[serde(with = "...")]` on the message fields:
//!
//! - 64-bit integers are written as decimal strings; strings and numbers are both read.
//! - 32-bit integers and enums are written as numbers; numbers and strings are both read.
//! - Doubles are written as numbers, non-finite ones as `"NaN"`, `"Infinity"`, `"-Infinity"`.
//! - Trace and span IDs are hex strings (read in either case); other bytes are base64.
//! - `null` reads as the field's default, as if the field were absent.

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::fmt;

/// Whether a field holds its default value (and so is left out of the output).
pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Reads `null` as the default.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An integer read from a JSON number or a decimal string.
struct IntVisitor<T>(std::marker::PhantomData<T>);

impl<T> IntVisitor<T> {
    const fn new() -> Self {
        IntVisitor(std::marker::PhantomData)
    }
}

impl<'de, T> Visitor<'de> for IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, as a number or a decimal string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format_args!("integer {v} out of range")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format_args!("integer {v} out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // The proto3 JSON mapping accepts an integral number in exponent or fraction form.
        if v.fract() == 0.0 && v.abs() < 1.8e19 {
            if v < 0.0 {
                self.visit_i64(v as i64)
            } else {
                self.visit_u64(v as u64)
            }
        } else {
            Err(E::custom(format_args!("{v} is not an integer")))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        if let Ok(parsed) = v.parse::<T>() {
            return Ok(parsed);
        }
        match v.parse::<f64>() {
            Ok(f) => self.visit_f64(f),
            Err(_) => Err(E::custom(format_args!("{v:?} is not an integer"))),
        }
    }
}

/// `value` in decimal, written into the end of `buf` (20 bytes hold any `u64` or `i64`).
fn decimal(negative: bool, magnitude: u64, buf: &mut [u8; 20]) -> &str {
    let mut n = magnitude;
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
    std::str::from_utf8(&buf[i..]).unwrap_or_default()
}

macro_rules! int_module {
    ($name:ident, $t:ty, $as_string:expr) => {
        pub(crate) mod $name {
            use super::*;

            pub(crate) fn serialize<S: Serializer>(
                value: &$t,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                if $as_string {
                    let mut buf = [0u8; 20];
                    let v = i128::from(*value);
                    // From a 64-bit integer: the magnitude fits in a `u64`.
                    serializer.serialize_str(decimal(v < 0, v.unsigned_abs() as u64, &mut buf))
                } else {
                    value.serialize(serializer)
                }
            }

            pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
                deserializer: D,
            ) -> Result<$t, D::Error> {
                Ok(Option::<Value>::deserialize(deserializer)?.map_or(0, |v| v.0))
            }

            /// One value, for sequences and hand-written impls.
            pub(crate) struct Value(pub(crate) $t);

            impl<'de> Deserialize<'de> for Value {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    deserializer
                        .deserialize_any(IntVisitor::<$t>::new())
                        .map(Value)
                }
            }

            impl Serialize for Value {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serialize(&self.0, serializer)
                }
            }
        }
    };
}

int_module!(uint32, u32, false);
int_module!(int32, i32, false);
int_module!(uint64, u64, true);
int_module!(int64, i64, true);

/// Repeated 64-bit unsigned integers, as an array of strings.
pub(crate) mod vec_uint64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        values: &[u64],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(values.len()))?;
        for v in values {
            seq.serialize_element(&uint64::Value(*v))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u64>, D::Error> {
        let values = Option::<Vec<uint64::Value>>::deserialize(deserializer)?.unwrap_or_default();
        Ok(values.into_iter().map(|v| v.0).collect())
    }
}

/// A double: a number, or one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub(crate) mod double {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else if value.is_nan() {
            serializer.serialize_str("NaN")
        } else if *value > 0.0 {
            serializer.serialize_str("Infinity")
        } else {
            serializer.serialize_str("-Infinity")
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(Option::<Value>::deserialize(deserializer)?.map_or(0.0, |v| v.0))
    }

    /// One value, for sequences and hand-written impls.
    pub(crate) struct Value(pub(crate) f64);

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize(&self.0, serializer)
        }
    }

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = f64;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a number, or \"NaN\", \"Infinity\", \"-Infinity\"")
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                    Ok(v)
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                    Ok(v as f64)
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                    Ok(v as f64)
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                    match v {
                        "NaN" => Ok(f64::NAN),
                        "Infinity" => Ok(f64::INFINITY),
                        "-Infinity" => Ok(f64::NEG_INFINITY),
                        other => other
                            .parse()
                            .map_err(|_| E::custom(format_args!("{other:?} is not a number"))),
                    }
                }
            }
            deserializer.deserialize_any(V).map(Value)
        }
    }
}

/// A proto3 `optional double`: left out when absent, written even when zero.
pub(crate) mod opt_double {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<f64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => double::serialize(v, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        Ok(Option::<double::Value>::deserialize(deserializer)?.map(|v| v.0))
    }
}

/// A oneof member holding a 64-bit integer: left out when absent, written even when zero.
pub(crate) mod opt_int64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<i64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => int64::serialize(v, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<i64>, D::Error> {
        Ok(Option::<int64::Value>::deserialize(deserializer)?.map(|v| v.0))
    }
}

/// Repeated doubles.
pub(crate) mod vec_double {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        values: &[f64],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(values.len()))?;
        for v in values {
            seq.serialize_element(&double::Value(*v))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<f64>, D::Error> {
        let values = Option::<Vec<double::Value>>::deserialize(deserializer)?.unwrap_or_default();
        Ok(values.into_iter().map(|v| v.0).collect())
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Trace and span IDs: hex strings (OTLP's deviation from the proto3 mapping's base64).
pub(crate) mod hex_id {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        // IDs are 8 or 16 bytes: format on the stack.
        let mut buf = [0u8; 64];
        if bytes.len() * 2 <= buf.len() {
            for (i, b) in bytes.iter().enumerate() {
                buf[2 * i] = HEX_DIGITS[(b >> 4) as usize];
                buf[2 * i + 1] = HEX_DIGITS[(b & 0xf) as usize];
            }
            // Only ASCII hex digits were written.
            let text =
                std::str::from_utf8(&buf[..bytes.len() * 2]).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(text)
        } else {
            let text: String = bytes
                .iter()
                .flat_map(|b| {
                    [
                        HEX_DIGITS[(b >> 4) as usize] as char,
                        HEX_DIGITS[(b & 0xf) as usize] as char,
                    ]
                })
                .collect();
            serializer.serialize_str(&text)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hex-encoded ID")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
                Ok(Vec::new())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
                decode_hex(v)
                    .ok_or_else(|| E::custom(format_args!("{v:?} is not a hex-encoded ID")))
            }
        }
        deserializer.deserialize_any(V)
    }

    fn decode_hex(text: &str) -> Option<Vec<u8>> {
        fn nibble(c: u8) -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                b'A'..=b'F' => Some(c - b'A' + 10),
                _ => None,
            }
        }
        let bytes = text.as_bytes();
        if bytes.len() % 2 != 0 {
            return None;
        }
        bytes
            .chunks_exact(2)
            .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
            .collect()
    }
}

/// Other bytes fields: standard base64 with padding (URL-safe and unpadded input is read too).
pub(crate) mod base64 {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(crate) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
        fn sextet(c: u8) -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return None,
            } as u32)
        }
        let trimmed = text.trim_end_matches('=');
        let input = trimmed.as_bytes();
        if input.len() % 4 == 1 {
            return None;
        }
        let mut out = Vec::with_capacity(input.len() * 3 / 4);
        for chunk in input.chunks(4) {
            let mut n = 0u32;
            for (i, c) in chunk.iter().enumerate() {
                n |= sextet(*c)? << (18 - 6 * i);
            }
            out.push((n >> 16) as u8);
            if chunk.len() > 2 {
                out.push((n >> 8) as u8);
            }
            if chunk.len() > 3 {
                out.push(n as u8);
            }
        }
        Some(out)
    }
}

/// Repeated fields: `null` reads as empty.
pub(crate) mod vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer, T: Serialize>(
        values: &[T],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        values.serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
                Vec::<T>::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_option(V(std::marker::PhantomData))
    }
}
