//! The two output formats behind one interface: each signal's traversal of the SDK's data
//! (in the sibling modules) is written once against [`Sink`] and compiled for both.
//!
//! Every method names a field by its protobuf tag and its OTLP/JSON name; the protobuf sink
//! uses the tag, the JSON sink the name. Omission follows proto3 as prost applies it (and as
//! the serde path's `skip_serializing_if` mirrors it): plain scalar fields are left out when
//! they hold their default; the `*_always` methods are for oneof members and `optional`
//! fields, which are written whatever their value; messages and repeated fields are written
//! when present / non-empty.

use opentelemetry_api::json::escape_into;
use opentelemetry_api::trace::TraceState;

/// A writer of OTLP messages.
pub(crate) trait Sink {
    /// A string field, left out when empty.
    fn string(&mut self, tag: u32, name: &'static str, value: &str);
    /// A string oneof member, written even when empty.
    fn string_always(&mut self, tag: u32, name: &'static str, value: &str);
    /// A trace state as its W3C header (`k1=v1,k2=v2`), left out when empty.
    fn trace_state(&mut self, tag: u32, name: &'static str, state: &TraceState);
    /// A bool field, left out when false.
    fn boolean(&mut self, tag: u32, name: &'static str, value: bool);
    /// A bool oneof member.
    fn bool_always(&mut self, tag: u32, name: &'static str, value: bool);
    /// An `int64` oneof member (varint; a JSON string).
    fn int64_always(&mut self, tag: u32, name: &'static str, value: i64);
    /// An `sfixed64` oneof member (a JSON string).
    fn sfixed64_always(&mut self, tag: u32, name: &'static str, value: i64);
    /// A `double` field, left out when `== 0.0`.
    fn double(&mut self, tag: u32, name: &'static str, value: f64);
    /// A `double` oneof member or `optional double`.
    fn double_always(&mut self, tag: u32, name: &'static str, value: f64);
    /// A `fixed64` field, left out when 0 (a JSON string).
    fn fixed64(&mut self, tag: u32, name: &'static str, value: u64);
    /// A `fixed32` field, left out when 0.
    fn fixed32(&mut self, tag: u32, name: &'static str, value: u32);
    /// A `uint32` field, left out when 0.
    fn uint32(&mut self, tag: u32, name: &'static str, value: u32);
    /// An enum field, left out when 0.
    fn enumeration(&mut self, tag: u32, name: &'static str, value: i32);
    /// A `sint32` field, left out when 0.
    fn sint32(&mut self, tag: u32, name: &'static str, value: i32);
    /// A trace or span ID (bytes; hex in JSON), left out when empty.
    fn id(&mut self, tag: u32, name: &'static str, value: &[u8]);
    /// A bytes oneof member (base64 in JSON).
    fn bytes_always(&mut self, tag: u32, name: &'static str, value: &[u8]);
    /// A packed `repeated fixed64` (JSON strings), left out when empty.
    fn packed_fixed64(&mut self, tag: u32, name: &'static str, values: &[u64]);
    /// A packed `repeated uint64` (JSON strings), left out when empty.
    fn packed_uint64(&mut self, tag: u32, name: &'static str, values: &[u64]);
    /// A packed `repeated double`, left out when empty.
    fn packed_double(&mut self, tag: u32, name: &'static str, values: &[f64]);
    /// A present message field; `reserve` is how many bytes its length is expected to take
    /// in protobuf (any value is correct; a right guess saves moving the body).
    fn message(
        &mut self,
        tag: u32,
        name: &'static str,
        reserve: usize,
        body: impl FnOnce(&mut Self),
    );
    /// A repeated message field, one message per item, left out when there are none.
    fn repeated<I: IntoIterator>(
        &mut self,
        tag: u32,
        name: &'static str,
        reserve: usize,
        items: I,
        body: impl FnMut(&mut Self, I::Item),
    );
}

// ---------------------------------------------------------------------------------------------
// Protobuf.

/// Wire types.
const VARINT: u32 = 0;
const I64: u32 = 1;
const LEN: u32 = 2;
const I32: u32 = 5;

/// The protobuf wire format, appended to a `Vec<u8>`. Nested messages are written in one
/// pass: the body goes after a guessed number of bytes for its length, and is moved when the
/// length's varint turns out shorter or longer, so the output is the canonical encoding
/// (minimal varints, fields in tag order: byte for byte what prost writes for the same
/// message).
pub(crate) struct Protobuf<'a> {
    pub(crate) buf: &'a mut Vec<u8>,
}

#[inline]
fn varint_len(value: u64) -> usize {
    // 1 byte per 7 bits, at least 1.
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

#[inline]
fn put_varint(buf: &mut Vec<u8>, mut value: u64) {
    if value < 0x80 {
        buf.push(value as u8);
        return;
    }
    let mut tmp = [0u8; 10];
    let mut n = 0;
    while value >= 0x80 {
        tmp[n] = (value as u8) | 0x80;
        value >>= 7;
        n += 1;
    }
    tmp[n] = value as u8;
    buf.extend_from_slice(&tmp[..=n]);
}

impl Protobuf<'_> {
    #[inline]
    fn key(&mut self, tag: u32, wire_type: u32) {
        put_varint(self.buf, u64::from(tag << 3 | wire_type));
    }

    #[inline]
    fn len_delimited(&mut self, tag: u32, bytes: &[u8]) {
        self.key(tag, LEN);
        put_varint(self.buf, bytes.len() as u64);
        self.buf.extend_from_slice(bytes);
    }

    /// Writes `body` as a length-delimited field (the key is already written).
    #[inline]
    fn nested(&mut self, reserve: usize, body: impl FnOnce(&mut Self)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0u8; 5][..reserve.min(5)]);
        let reserved = self.buf.len() - start;
        body(self);
        let len = self.buf.len() - start - reserved;
        let need = varint_len(len as u64);
        if need != reserved {
            if need > reserved {
                self.buf.resize(self.buf.len() + (need - reserved), 0);
            }
            self.buf
                .copy_within(start + reserved..start + reserved + len, start + need);
            self.buf.truncate(start + need + len);
        }
        let mut value = len as u64;
        for slot in &mut self.buf[start..start + need] {
            *slot = (value as u8) | 0x80;
            value >>= 7;
        }
        // The last byte of the varint has no continuation bit.
        self.buf[start + need - 1] &= 0x7f;
    }
}

impl Sink for Protobuf<'_> {
    #[inline]
    fn string(&mut self, tag: u32, _: &'static str, value: &str) {
        if !value.is_empty() {
            self.len_delimited(tag, value.as_bytes());
        }
    }

    #[inline]
    fn string_always(&mut self, tag: u32, _: &'static str, value: &str) {
        self.len_delimited(tag, value.as_bytes());
    }

    fn trace_state(&mut self, tag: u32, _: &'static str, state: &TraceState) {
        if state.is_empty() {
            return;
        }
        self.key(tag, LEN);
        let len: usize = state.entries().map(|(k, v)| k.len() + v.len() + 2).sum();
        // One `=` per entry, one `,` between entries.
        put_varint(self.buf, (len - 1) as u64);
        for (i, (k, v)) in state.entries().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            self.buf.extend_from_slice(k.as_bytes());
            self.buf.push(b'=');
            self.buf.extend_from_slice(v.as_bytes());
        }
    }

    #[inline]
    fn boolean(&mut self, tag: u32, name: &'static str, value: bool) {
        if value {
            self.bool_always(tag, name, value);
        }
    }

    #[inline]
    fn bool_always(&mut self, tag: u32, _: &'static str, value: bool) {
        self.key(tag, VARINT);
        self.buf.push(u8::from(value));
    }

    #[inline]
    fn int64_always(&mut self, tag: u32, _: &'static str, value: i64) {
        self.key(tag, VARINT);
        // int64 is the two's complement bit pattern as a varint (10 bytes when negative).
        put_varint(self.buf, value as u64);
    }

    #[inline]
    fn sfixed64_always(&mut self, tag: u32, _: &'static str, value: i64) {
        self.key(tag, I64);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    #[inline]
    fn double(&mut self, tag: u32, name: &'static str, value: f64) {
        // prost's test: `!= 0.0` (so -0.0 is left out, NaN written).
        if value != 0.0 {
            self.double_always(tag, name, value);
        }
    }

    #[inline]
    fn double_always(&mut self, tag: u32, _: &'static str, value: f64) {
        self.key(tag, I64);
        self.buf.extend_from_slice(&value.to_le_bytes());
    }

    #[inline]
    fn fixed64(&mut self, tag: u32, _: &'static str, value: u64) {
        if value != 0 {
            self.key(tag, I64);
            self.buf.extend_from_slice(&value.to_le_bytes());
        }
    }

    #[inline]
    fn fixed32(&mut self, tag: u32, _: &'static str, value: u32) {
        if value != 0 {
            self.key(tag, I32);
            self.buf.extend_from_slice(&value.to_le_bytes());
        }
    }

    #[inline]
    fn uint32(&mut self, tag: u32, _: &'static str, value: u32) {
        if value != 0 {
            self.key(tag, VARINT);
            put_varint(self.buf, u64::from(value));
        }
    }

    #[inline]
    fn enumeration(&mut self, tag: u32, _: &'static str, value: i32) {
        if value != 0 {
            self.key(tag, VARINT);
            // Negative enum values are sign-extended, as for int32.
            put_varint(self.buf, i64::from(value) as u64);
        }
    }

    #[inline]
    fn sint32(&mut self, tag: u32, _: &'static str, value: i32) {
        if value != 0 {
            self.key(tag, VARINT);
            put_varint(self.buf, u64::from(((value << 1) ^ (value >> 31)) as u32));
        }
    }

    #[inline]
    fn id(&mut self, tag: u32, _: &'static str, value: &[u8]) {
        if !value.is_empty() {
            self.len_delimited(tag, value);
        }
    }

    #[inline]
    fn bytes_always(&mut self, tag: u32, _: &'static str, value: &[u8]) {
        self.len_delimited(tag, value);
    }

    fn packed_fixed64(&mut self, tag: u32, _: &'static str, values: &[u64]) {
        if values.is_empty() {
            return;
        }
        self.key(tag, LEN);
        put_varint(self.buf, (values.len() * 8) as u64);
        self.buf.reserve(values.len() * 8);
        for v in values {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
    }

    fn packed_uint64(&mut self, tag: u32, _: &'static str, values: &[u64]) {
        if values.is_empty() {
            return;
        }
        self.key(tag, LEN);
        let len: usize = values.iter().map(|v| varint_len(*v)).sum();
        put_varint(self.buf, len as u64);
        for v in values {
            put_varint(self.buf, *v);
        }
    }

    fn packed_double(&mut self, tag: u32, _: &'static str, values: &[f64]) {
        if values.is_empty() {
            return;
        }
        self.key(tag, LEN);
        put_varint(self.buf, (values.len() * 8) as u64);
        self.buf.reserve(values.len() * 8);
        for v in values {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
    }

    #[inline]
    fn message(&mut self, tag: u32, _: &'static str, reserve: usize, body: impl FnOnce(&mut Self)) {
        self.key(tag, LEN);
        self.nested(reserve, body);
    }

    #[inline]
    fn repeated<I: IntoIterator>(
        &mut self,
        tag: u32,
        _: &'static str,
        reserve: usize,
        items: I,
        mut body: impl FnMut(&mut Self, I::Item),
    ) {
        for item in items {
            self.key(tag, LEN);
            self.nested(reserve, |s| body(s, item));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON.

/// OTLP/JSON (the proto3 JSON mapping with OTLP's rules: lowerCamelCase keys, hex trace and
/// span IDs, enums as numbers, 64-bit integers as strings, non-finite doubles as strings),
/// appended to a `Vec<u8>`, compact.
pub(crate) struct Json<'a> {
    pub(crate) buf: &'a mut Vec<u8>,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The two-digit decimal strings `00` to `99`.
static DIGITS2: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// Appends `magnitude` in decimal, after a `-` when `negative`.
#[inline]
fn put_decimal(buf: &mut Vec<u8>, negative: bool, magnitude: u64) {
    // Single digits (most bucket counts, small integers) directly.
    if magnitude < 10 && !negative {
        buf.push(b'0' + magnitude as u8);
        return;
    }
    let mut tmp = [0u8; 21];
    let mut i = tmp.len();
    let mut n = magnitude;
    // Two digits at a time.
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        tmp[i..i + 2].copy_from_slice(&DIGITS2[pair..pair + 2]);
    } else {
        i -= 1;
        tmp[i] = b'0' + n as u8;
    }
    if negative {
        i -= 1;
        tmp[i] = b'-';
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends a double: the shortest decimal that reads back as the same value (as serde_json
/// writes it), or `"NaN"`, `"Infinity"`, `"-Infinity"`.
#[inline]
pub(crate) fn put_double(buf: &mut Vec<u8>, value: f64) {
    // Integral values of magnitude below 2^53 (histogram bounds, most sums): the shortest
    // round-trip form is the integer's digits (a double this small is exact, and its
    // neighbours are at most 1 apart), which ryu writes with `.0`. Zero keeps its sign.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if value != 0.0 && value.abs() < EXACT && value.fract() == 0.0 {
        put_decimal(buf, value < 0.0, value.abs() as u64);
        buf.extend_from_slice(b".0");
    } else if value.is_finite() {
        let mut text = ryu::Buffer::new();
        buf.extend_from_slice(text.format_finite(value).as_bytes());
    } else if value.is_nan() {
        buf.extend_from_slice(b"\"NaN\"");
    } else if value > 0.0 {
        buf.extend_from_slice(b"\"Infinity\"");
    } else {
        buf.extend_from_slice(b"\"-Infinity\"");
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends standard base64 with padding.
fn put_base64(buf: &mut Vec<u8>, bytes: &[u8]) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            buf.push(if i <= chunk.len() {
                BASE64[((n >> (18 - 6 * i)) & 0x3f) as usize]
            } else {
                b'='
            });
        }
    }
}

impl Json<'_> {
    /// `"name":`, after a comma unless this is the object's first field.
    #[inline]
    fn key(&mut self, name: &'static str) {
        if self.buf.last() != Some(&b'{') {
            self.buf.push(b',');
        }
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    #[inline]
    fn quoted_decimal(&mut self, negative: bool, magnitude: u64) {
        self.buf.push(b'"');
        put_decimal(self.buf, negative, magnitude);
        self.buf.push(b'"');
    }

    #[inline]
    fn array<T: Copy>(
        &mut self,
        name: &'static str,
        values: &[T],
        mut each: impl FnMut(&mut Self, T),
    ) {
        if values.is_empty() {
            return;
        }
        self.key(name);
        self.buf.push(b'[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            each(self, *v);
        }
        self.buf.push(b']');
    }
}

impl Sink for Json<'_> {
    #[inline]
    fn string(&mut self, tag: u32, name: &'static str, value: &str) {
        if !value.is_empty() {
            self.string_always(tag, name, value);
        }
    }

    #[inline]
    fn string_always(&mut self, _: u32, name: &'static str, value: &str) {
        self.key(name);
        self.buf.push(b'"');
        escape_into(self.buf, value);
        self.buf.push(b'"');
    }

    fn trace_state(&mut self, _: u32, name: &'static str, state: &TraceState) {
        if state.is_empty() {
            return;
        }
        self.key(name);
        self.buf.push(b'"');
        for (i, (k, v)) in state.entries().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            escape_into(self.buf, k);
            self.buf.push(b'=');
            escape_into(self.buf, v);
        }
        self.buf.push(b'"');
    }

    #[inline]
    fn boolean(&mut self, tag: u32, name: &'static str, value: bool) {
        if value {
            self.bool_always(tag, name, value);
        }
    }

    #[inline]
    fn bool_always(&mut self, _: u32, name: &'static str, value: bool) {
        self.key(name);
        self.buf
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    #[inline]
    fn int64_always(&mut self, _: u32, name: &'static str, value: i64) {
        self.key(name);
        self.quoted_decimal(value < 0, value.unsigned_abs());
    }

    #[inline]
    fn sfixed64_always(&mut self, tag: u32, name: &'static str, value: i64) {
        self.int64_always(tag, name, value);
    }

    #[inline]
    fn double(&mut self, tag: u32, name: &'static str, value: f64) {
        if value != 0.0 {
            self.double_always(tag, name, value);
        }
    }

    #[inline]
    fn double_always(&mut self, _: u32, name: &'static str, value: f64) {
        self.key(name);
        put_double(self.buf, value);
    }

    #[inline]
    fn fixed64(&mut self, _: u32, name: &'static str, value: u64) {
        if value != 0 {
            self.key(name);
            self.quoted_decimal(false, value);
        }
    }

    #[inline]
    fn fixed32(&mut self, tag: u32, name: &'static str, value: u32) {
        self.uint32(tag, name, value);
    }

    #[inline]
    fn uint32(&mut self, _: u32, name: &'static str, value: u32) {
        if value != 0 {
            self.key(name);
            put_decimal(self.buf, false, u64::from(value));
        }
    }

    #[inline]
    fn enumeration(&mut self, tag: u32, name: &'static str, value: i32) {
        self.sint32(tag, name, value);
    }

    #[inline]
    fn sint32(&mut self, _: u32, name: &'static str, value: i32) {
        if value != 0 {
            self.key(name);
            put_decimal(self.buf, value < 0, u64::from(value.unsigned_abs()));
        }
    }

    #[inline]
    fn id(&mut self, _: u32, name: &'static str, value: &[u8]) {
        if value.is_empty() {
            return;
        }
        self.key(name);
        self.buf.push(b'"');
        for b in value {
            self.buf
                .extend_from_slice(&[HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        }
        self.buf.push(b'"');
    }

    fn bytes_always(&mut self, _: u32, name: &'static str, value: &[u8]) {
        self.key(name);
        self.buf.push(b'"');
        put_base64(self.buf, value);
        self.buf.push(b'"');
    }

    fn packed_fixed64(&mut self, _: u32, name: &'static str, values: &[u64]) {
        self.array(name, values, |s, v| s.quoted_decimal(false, v));
    }

    fn packed_uint64(&mut self, tag: u32, name: &'static str, values: &[u64]) {
        self.packed_fixed64(tag, name, values);
    }

    fn packed_double(&mut self, _: u32, name: &'static str, values: &[f64]) {
        self.array(name, values, |s, v| put_double(s.buf, v));
    }

    #[inline]
    fn message(&mut self, _: u32, name: &'static str, _: usize, body: impl FnOnce(&mut Self)) {
        self.key(name);
        self.buf.push(b'{');
        body(self);
        self.buf.push(b'}');
    }

    #[inline]
    fn repeated<I: IntoIterator>(
        &mut self,
        _: u32,
        name: &'static str,
        _: usize,
        items: I,
        mut body: impl FnMut(&mut Self, I::Item),
    ) {
        let mut first = true;
        for item in items {
            if first {
                self.key(name);
                self.buf.extend_from_slice(b"[{");
                first = false;
            } else {
                self.buf.extend_from_slice(b",{");
            }
            body(self, item);
            self.buf.push(b'}');
        }
        if !first {
            self.buf.push(b']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_are_written_as_ryu_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            7.5,
            7500.0,
            1e15,
            1e16,
            1e17,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
            -9_007_199_254_740_991.0,
            4_503_599_627_370_497.0,
            123_456_789_012_345_680.0,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            // xorshift: bit patterns of every kind, and integers of every size.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
            values.push((x >> (x % 64)) as f64);
            values.push(-((x >> (x % 64)) as f64));
        }
        for v in values.into_iter().filter(|v| v.is_finite()) {
            let mut ours = Vec::new();
            put_double(&mut ours, v);
            let mut ryu = ryu::Buffer::new();
            assert_eq!(
                std::str::from_utf8(&ours).unwrap(),
                ryu.format_finite(v),
                "{v:e}"
            );
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // Every byte value at every position of chunks and tails, among plain text and
        // multi-byte characters.
        let mut texts: Vec<String> = vec![String::new(), "plain".into(), "é€😀".into()];
        for c in (0u32..0x80).chain([0xe9, 0x20ac, 0x1f600]) {
            let c = char::from_u32(c).unwrap();
            for len in [1usize, 7, 8, 9, 16, 17] {
                for at in 0..len {
                    let mut text: String = "a".repeat(len);
                    text.replace_range(at..at + 1, c.encode_utf8(&mut [0; 4]));
                    texts.push(text);
                }
            }
        }
        for text in texts {
            let mut ours = Vec::new();
            escape_into(&mut ours, &text);
            let serde = serde_json::to_string(&text).unwrap();
            assert_eq!(
                std::str::from_utf8(&ours).unwrap(),
                &serde[1..serde.len() - 1],
                "{text:?}"
            );
        }
    }

    #[test]
    fn decimals_of_every_length() {
        let mut n = 1u64;
        for _ in 0..20 {
            for m in [n - 1, n, n + 1, n.wrapping_mul(7) / 3] {
                for negative in [false, true] {
                    let mut ours = Vec::new();
                    put_decimal(&mut ours, negative, m);
                    let expected = if negative {
                        format!("-{m}")
                    } else {
                        m.to_string()
                    };
                    assert_eq!(std::str::from_utf8(&ours).unwrap(), expected);
                }
            }
            n = n.saturating_mul(10);
        }
        let mut ours = Vec::new();
        put_decimal(&mut ours, true, i64::MIN.unsigned_abs());
        assert_eq!(ours, i64::MIN.to_string().as_bytes());
        ours.clear();
        put_decimal(&mut ours, false, u64::MAX);
        assert_eq!(ours, u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn lengths_are_back_patched_whatever_the_guess() {
        for reserve in 0..=5 {
            for len in [0usize, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_097_152] {
                let mut buf = Vec::new();
                let body = vec![0xabu8; len];
                Protobuf { buf: &mut buf }
                    .message(1, "m", reserve, |s| s.buf.extend_from_slice(&body));
                let mut expected = vec![0x0a];
                put_varint(&mut expected, len as u64);
                expected.extend_from_slice(&body);
                assert!(buf == expected, "reserve {reserve}, length {len}");
            }
        }
    }
}
