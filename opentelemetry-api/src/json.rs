//! JSON text of attribute values, for exporters to formats other than OTLP.
//!
//! The specification's [AnyValue representation for non-OTLP protocols][spec] writes arrays
//! as JSON arrays and maps as JSON objects; inside them strings are JSON strings, booleans
//! and numbers JSON literals, the non-finite floats the strings `"NaN"`, `"Infinity"` and
//! `"-Infinity"`, and byte arrays Base64 (RFC 4648, padded) strings.
//! [`Array::write_json`], [`Value::write_json`] and [`AnyValue::write_json`] write that form,
//! [`write_string`] a single JSON string (for the other text of a JSON document), and
//! [`escape_into`] the inside of one into a byte buffer (for encoders writing bytes).
//!
//! Strings are escaped as RFC 8259 requires and no further: `"` and `\` with a backslash,
//! the control characters U+0000 to U+001F as `\b`, `\f`, `\n`, `\r`, `\t` or `\u00XX`,
//! everything else (DEL and non-ASCII text included) as it is, in UTF-8. Finite floats are
//! written with the fewest digits that read back as the same `f64`, laid out as
//! JavaScript's `JSON.stringify` does: plainly when `1e-6 <= |x| < 1e21` (`2`, `0.5`,
//! `1234.5`), in exponent form otherwise (`1e21`, `1.5e-7`, without a `+` sign); `-0.0` keeps
//! its sign (`-0`).
//!
//! ```
//! use opentelemetry_api::{Array, StringValue, Value};
//!
//! let tags = Array::String(vec![StringValue::from("a\"b"), StringValue::from("tab\there")]);
//! let mut out = String::new();
//! tags.write_json(&mut out);
//! assert_eq!(out, r#"["a\"b","tab\there"]"#);
//!
//! out.clear();
//! Value::from(vec![1.0, 0.25, f64::NAN, f64::NEG_INFINITY]).write_json(&mut out);
//! assert_eq!(out, r#"[1,0.25,"NaN","-Infinity"]"#);
//! ```
//!
//! [spec]: https://opentelemetry.io/docs/specs/otel/common/#anyvalue-representation-for-non-otlp-protocols

use crate::{AnyValue, Array, Value};
use std::fmt::{self, Write};

/// Appends `s` as a quoted JSON string (RFC 8259 escaping, see the [module](self) docs).
///
/// ```
/// let mut out = String::new();
/// opentelemetry_api::json::write_string(&mut out, "say \"hé\"\n\u{1}");
/// assert_eq!(out, r#""say \"hé\"\n\u0001""#);
/// ```
pub fn write_string(out: &mut String, s: &str) {
    // Writing into a `String` cannot fail.
    let _ = string(out, s);
}

impl Array {
    /// Appends the array as a JSON array (see the [`json`](crate::json) module):
    /// `["a","b"]`, `[1,-2]`, `[0.5,"NaN"]`, `[true]`, `[]`.
    ///
    /// ```
    /// use opentelemetry_api::Array;
    /// let mut out = String::new();
    /// Array::I64(vec![1, -2]).write_json(&mut out);
    /// assert_eq!(out, "[1,-2]");
    /// ```
    pub fn write_json(&self, out: &mut String) {
        // Writing into a `String` cannot fail.
        let _ = array(out, self);
    }
}

impl Value {
    /// Appends the value as a JSON value, the form it takes as an element of an array or a
    /// member of an object (see the [`json`](crate::json) module): strings quoted,
    /// non-finite floats as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    ///
    /// ```
    /// use opentelemetry_api::Value;
    /// let mut out = String::new();
    /// Value::from("GET").write_json(&mut out);
    /// out.push(',');
    /// Value::from(f64::INFINITY).write_json(&mut out);
    /// assert_eq!(out, r#""GET","Infinity""#);
    /// ```
    pub fn write_json(&self, out: &mut String) {
        // Writing into a `String` cannot fail.
        let _ = value(out, self);
    }
}

impl AnyValue {
    /// Appends the value as a JSON value (see the [`json`](crate::json) module): lists as
    /// arrays, maps as objects, bytes as Base64 strings.
    ///
    /// ```
    /// use opentelemetry_api::AnyValue;
    /// let body: AnyValue = [("n", AnyValue::from(1)), ("b", AnyValue::from(b"hi".to_vec()))]
    ///     .into_iter()
    ///     .collect();
    /// let mut out = String::new();
    /// body.write_json(&mut out);
    /// assert_eq!(out, r#"{"n":1,"b":"aGk="}"#);
    /// ```
    pub fn write_json(&self, out: &mut String) {
        // Writing into a `String` cannot fail.
        let _ = any_value(out, self);
    }
}

/// What each byte becomes in a JSON string: 0 as it is, `u` as `\u00XX`, else `\` + itself.
static ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

pub(crate) fn string<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    escape_pieces(s, |piece| out.write_str(piece))?;
    out.write_char('"')
}

/// Appends `text` escaped for the inside of a JSON string (without the quotes), as bytes:
/// for encoders writing JSON into a byte buffer. Text needing no escape (most of it) is
/// scanned eight bytes at a time and copied at once.
///
/// ```
/// let mut buf = b"\"".to_vec();
/// opentelemetry_api::json::escape_into(&mut buf, "tab\there");
/// buf.push(b'"');
/// assert_eq!(buf, br#""tab\there""#);
/// ```
#[inline]
pub fn escape_into(buf: &mut Vec<u8>, text: &str) {
    let result: fmt::Result = escape_pieces(text, |piece| {
        buf.extend_from_slice(piece.as_bytes());
        Ok(())
    });
    debug_assert!(result.is_ok());
}

/// Hands `text` escaped for the inside of a JSON string to `put`, piece by piece: runs of
/// text that need no escape, and escape sequences.
#[inline]
fn escape_pieces(text: &str, mut put: impl FnMut(&str) -> fmt::Result) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    let first = first_escape(bytes);
    if first == bytes.len() {
        return put(text);
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        let escape = ESCAPES[b as usize];
        if escape == 0 {
            continue;
        }
        // `i` is at an ASCII byte, so both slices end on character boundaries.
        put(&text[start..i])?;
        let code = [
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ];
        let short = [b'\\', escape];
        let sequence: &[u8] = if escape == b'u' { &code } else { &short };
        // Only ASCII bytes: always valid UTF-8.
        put(std::str::from_utf8(sequence).unwrap_or_default())?;
        start = i + 1;
    }
    put(&text[start..])
}

/// The index of the first byte of `bytes` that JSON escapes (a control character, a quote or a
/// backslash), or `bytes.len()`: eight bytes at a time, as most strings need no escaping.
#[inline]
fn first_escape(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A byte is flagged (high bit set) when below 0x20, or a quote or backslash (a zero
        // byte after the XOR); bytes >= 0x80 are never flagged (`& !x`).
        let control = x.wrapping_sub(ONES * 0x20);
        let quote = (x ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
        let backslash = (x ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
        if (control | quote | backslash) & !x & HIGH != 0 {
            // The first flagged byte may be a false positive only after a true one (borrows
            // propagate upwards): the byte loop below finds the exact place.
            break;
        }
        offset += 8;
    }
    offset
        + bytes[offset..]
            .iter()
            .position(|&b| ESCAPES[b as usize] != 0)
            .unwrap_or(bytes.len() - offset)
}

/// The name the specification gives a non-finite float (`None` for a finite one).
pub(crate) fn non_finite_name(f: f64) -> Option<&'static str> {
    if f.is_finite() {
        None
    } else if f.is_nan() {
        Some("NaN")
    } else if f > 0.0 {
        Some("Infinity")
    } else {
        Some("-Infinity")
    }
}

/// A finite float as a JSON number (see the module docs for the layout).
pub(crate) fn finite_f64<W: Write>(out: &mut W, f: f64) -> fmt::Result {
    let magnitude = f.abs();
    if magnitude == 0.0 || (1e-6..1e21).contains(&magnitude) {
        // Rust's `Display` writes the shortest round-trip digits without an exponent:
        // exactly `JSON.stringify`'s layout in this range.
        write!(out, "{f}")
    } else {
        // And `LowerExp` the same digits as `d.ddde-x` / `d.dddex`, which is valid JSON.
        write!(out, "{f:e}")
    }
}

/// A float inside a JSON document: a number, or the string naming a non-finite value.
fn json_f64<W: Write>(out: &mut W, f: f64) -> fmt::Result {
    match non_finite_name(f) {
        None => finite_f64(out, f),
        Some(name) => {
            out.write_char('"')?;
            out.write_str(name)?;
            out.write_char('"')
        }
    }
}

fn list<W: Write, T>(
    out: &mut W,
    items: &[T],
    mut item: impl FnMut(&mut W, &T) -> fmt::Result,
) -> fmt::Result {
    out.write_char('[')?;
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.write_char(',')?;
        }
        item(out, x)?;
    }
    out.write_char(']')
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

pub(crate) fn array<W: Write>(out: &mut W, a: &Array) -> fmt::Result {
    match a {
        Array::Bool(v) => list(out, v, |o, b| o.write_str(bool_text(*b))),
        Array::I64(v) => list(out, v, |o, i| write!(o, "{i}")),
        Array::F64(v) => list(out, v, |o, f| json_f64(o, *f)),
        Array::String(v) => list(out, v, |o, s| string(o, s.as_str())),
    }
}

fn value<W: Write>(out: &mut W, v: &Value) -> fmt::Result {
    match v {
        Value::Bool(b) => out.write_str(bool_text(*b)),
        Value::I64(i) => write!(out, "{i}"),
        Value::F64(f) => json_f64(out, *f),
        Value::String(s) => string(out, s.as_str()),
        Value::Array(a) => array(out, a),
    }
}

fn any_value<W: Write>(out: &mut W, v: &AnyValue) -> fmt::Result {
    match v {
        AnyValue::Int(i) => write!(out, "{i}"),
        AnyValue::Double(f) => json_f64(out, *f),
        AnyValue::String(s) => string(out, s.as_str()),
        AnyValue::Boolean(b) => out.write_str(bool_text(*b)),
        AnyValue::Bytes(bytes) => {
            out.write_char('"')?;
            base64(out, bytes)?;
            out.write_char('"')
        }
        AnyValue::ListAny(items) => list(out, items, |o, item| any_value(o, item)),
        AnyValue::Map(entries) => {
            out.write_char('{')?;
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                string(out, key.as_str())?;
                out.write_char(':')?;
                any_value(out, item)?;
            }
            out.write_char('}')
        }
    }
}

/// Standard Base64 with padding (RFC 4648 section 4).
fn base64<W: Write>(out: &mut W, bytes: &[u8]) -> fmt::Result {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |n: u32, shift: u32| ALPHABET[((n >> shift) & 0x3f) as usize];
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        let mut quad = [b'='; 4];
        quad[0] = sextet(n, 18);
        quad[1] = sextet(n, 12);
        if chunk.len() > 1 {
            quad[2] = sextet(n, 6);
        }
        if chunk.len() > 2 {
            quad[3] = sextet(n, 0);
        }
        // Only ASCII bytes: always valid UTF-8.
        out.write_str(std::str::from_utf8(&quad).unwrap_or_default())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Key, StringValue};

    fn json(v: impl Into<Value>) -> String {
        let mut out = String::new();
        v.into().write_json(&mut out);
        out
    }

    fn quoted(s: &str) -> String {
        let mut out = String::new();
        write_string(&mut out, s);
        out
    }

    fn strings(items: &[&str]) -> Array {
        Array::String(
            items
                .iter()
                .map(|s| StringValue::from(s.to_string()))
                .collect(),
        )
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_control_characters_only() {
        assert_eq!(quoted(""), r#""""#);
        assert_eq!(quoted(r#"a"b\c/d"#), r#""a\"b\\c/d""#);
        assert_eq!(
            quoted("\u{8}\u{c}\n\r\t"),
            r#""\b\f\n\r\t""#,
            "the two-character escapes"
        );
        assert_eq!(
            quoted("\0\u{1}\u{b}\u{1f}"),
            r#""\u0000\u0001\u000b\u001f""#
        );
        // DEL, non-ASCII and astral characters (emoji) stay verbatim UTF-8.
        assert_eq!(quoted("\u{7f}é€😀 "), "\"\u{7f}é€😀 \"");
        // Escapes between multi-byte characters keep them whole.
        assert_eq!(quoted("😀\"é\n"), r#""😀\"é\n""#);
        for b in 0u8..0x20 {
            let text = quoted(&char::from(b).to_string());
            assert!(text.len() == 4 || text.len() == 8, "{b}: {text}");
        }
    }

    #[test]
    fn floats_use_the_shortest_round_trip_digits() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (2.0, "2"),
            (-3.0, "-3"),
            (0.5, "0.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456.789, "123456.789"),
            (1e20, "100000000000000000000"),
            (1e21, "1e21"),
            (1.5e300, "1.5e300"),
            (f64::MAX, "1.7976931348623157e308"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (-2.5e-10, "-2.5e-10"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
        ];
        for &(f, text) in cases {
            assert_eq!(json(f), text, "{f:?}");
            // Valid JSON that reads back as the same float.
            assert_eq!(text.parse::<f64>().map(f64::to_bits), Ok(f.to_bits()));
        }
    }

    #[test]
    fn non_finite_floats_are_strings_inside_json_and_bare_names_as_text() {
        assert_eq!(json(f64::NAN), r#""NaN""#);
        assert_eq!(json(f64::INFINITY), r#""Infinity""#);
        assert_eq!(json(f64::NEG_INFINITY), r#""-Infinity""#);
        assert_eq!(
            json(vec![1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 3.0]),
            r#"[1.5,"NaN","Infinity","-Infinity",3]"#
        );
        assert_eq!(Value::from(f64::NAN).to_string(), "NaN");
        assert_eq!(Value::from(f64::NEG_INFINITY).to_string(), "-Infinity");
        assert_eq!(Value::from(1e21).to_string(), "1e21");
    }

    #[test]
    fn arrays_of_every_kind() {
        for empty in [
            Array::Bool(vec![]),
            Array::I64(vec![]),
            Array::F64(vec![]),
            Array::String(vec![]),
        ] {
            let mut out = String::new();
            empty.write_json(&mut out);
            assert_eq!(out, "[]");
            assert_eq!(empty.to_string(), "[]");
        }
        assert_eq!(json(vec![true, false]), "[true,false]");
        assert_eq!(
            json(vec![i64::MIN, 0, i64::MAX]),
            format!("[{},0,{}]", i64::MIN, i64::MAX)
        );
        let tricky = strings(&["x", "q\"\n\u{1}", "\u{7f}ü😀", "\\"]);
        let text = r#"["x","q\"\n\u0001","ü😀","\\"]"#.replace('ü', "\u{7f}ü");
        assert_eq!(json(tricky.clone()), text);
        // `Display` prints the same JSON, to a formatter as well as into a string.
        assert_eq!(tricky.to_string(), text);
        assert_eq!(Value::Array(tricky).to_string(), text);
    }

    #[test]
    fn scalars_inside_json() {
        assert_eq!(json(true), "true");
        assert_eq!(json(-7i64), "-7");
        assert_eq!(json(2.5), "2.5");
        assert_eq!(json("a\"b"), r#""a\"b""#);
        // As text (`Display`), strings stay bare.
        assert_eq!(Value::from("a\"b").to_string(), "a\"b");
    }

    #[test]
    fn any_values_nest_and_bytes_are_base64() {
        fn any(v: &AnyValue) -> String {
            let mut out = String::new();
            v.write_json(&mut out);
            out
        }
        let bytes = |b: &[u8]| AnyValue::Bytes(Box::new(b.to_vec()));
        assert_eq!(any(&bytes(b"")), r#""""#);
        assert_eq!(any(&bytes(b"f")), r#""Zg==""#);
        assert_eq!(any(&bytes(b"fo")), r#""Zm8=""#);
        assert_eq!(any(&bytes(b"foo")), r#""Zm9v""#);
        assert_eq!(any(&bytes(b"foobar")), r#""Zm9vYmFy""#);
        assert_eq!(any(&bytes(b"hello world")), r#""aGVsbG8gd29ybGQ=""#);
        assert_eq!(any(&bytes(&[0xfb, 0xff, 0xfe])), r#""+//+""#);
        // The specification's example.
        let list = AnyValue::ListAny(Box::new(vec![
            AnyValue::Int(1),
            AnyValue::Double(f64::NEG_INFINITY),
            AnyValue::from("a"),
            AnyValue::Boolean(true),
            AnyValue::Map(Box::new(vec![(Key::from("nested"), bytes(b"hello world"))])),
        ]));
        assert_eq!(
            any(&list),
            r#"[1,"-Infinity","a",true,{"nested":"aGVsbG8gd29ybGQ="}]"#
        );
        let map = AnyValue::Map(Box::new(vec![
            (Key::from("a\""), AnyValue::Double(0.5)),
            (Key::from("c"), AnyValue::ListAny(Box::default())),
            (Key::from("d"), AnyValue::Map(Box::default())),
        ]));
        assert_eq!(any(&map), r#"{"a\"":0.5,"c":[],"d":{}}"#);
    }
}
