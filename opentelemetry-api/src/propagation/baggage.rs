//! The W3C Baggage propagator (`baggage` header).

use super::{trim_ows, Extractor, FieldIter, Injector, TextMapPropagator};
use crate::baggage::{Baggage, BaggageExt, BaggageMetadata, KeyValueMetadata};
use crate::{Context, Key, StringValue};

const BAGGAGE: &str = "baggage";
static FIELDS: [&str; 1] = [BAGGAGE];

/// Propagates [`Baggage`] in the W3C Baggage format: the `baggage` header, a comma-separated
/// list of `key=value;property;...` members with percent-encoded values.
///
/// Extraction combines repeated headers, ignores whitespace around keys, values and
/// properties, decodes values (invalid UTF-8 becomes U+FFFD), keeps properties as the
/// entry's [`BaggageMetadata`], skips malformed members, lets a later duplicate key win, and
/// keeps at most [`MAX_LIST_MEMBERS`](Self::MAX_LIST_MEMBERS) members and
/// [`MAX_BYTES`](Self::MAX_BYTES) bytes (counted as re-encoded). The extracted entries are
/// added to the context's baggage.
///
/// Injection percent-encodes values, skips entries whose key is not an HTTP token, and writes
/// the entries in order while the header stays within the same limits: an entry that would
/// break them is left out whole (never sent in part), and one diagnostic per injection
/// reports how many were left out. The [`Baggage`] itself has no limits.
///
/// ```
/// use opentelemetry_api::baggage::BaggageExt;
/// use opentelemetry_api::propagation::{BaggagePropagator, TextMapPropagator};
/// use opentelemetry_api::{Context, KeyValue};
/// use std::collections::HashMap;
///
/// let propagator = BaggagePropagator::new();
/// let cx = Context::new().with_baggage([
///     KeyValue::new("userId", "Amélie"),
///     KeyValue::new("serverNode", "DF 28"),
/// ]);
/// let mut headers = HashMap::new();
/// propagator.inject_context(&cx, &mut headers);
/// assert_eq!(headers["baggage"], "userId=Am%C3%A9lie,serverNode=DF%2028");
///
/// let extracted = propagator.extract_with_context(&Context::new(), &headers);
/// assert_eq!(extracted.baggage().get("serverNode").unwrap().as_str(), "DF 28");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BaggagePropagator {
    _private: (),
}

impl BaggagePropagator {
    /// The most list members a `baggage` header carries (the W3C Baggage limit).
    pub const MAX_LIST_MEMBERS: usize = 64;

    /// The most bytes a `baggage` header carries (the W3C Baggage limit).
    pub const MAX_BYTES: usize = 8192;

    /// Creates the propagator.
    pub const fn new() -> Self {
        BaggagePropagator { _private: () }
    }
}

const MAX_LIST_MEMBERS: usize = BaggagePropagator::MAX_LIST_MEMBERS;
const MAX_BYTES: usize = BaggagePropagator::MAX_BYTES;

/// Whether `value` is a W3C baggage value: baggage octets, with every `%` a valid escape.
fn is_valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| is_baggage_octet(b) && (b != b'%' || starts_escape(bytes, i)))
}

#[inline]
fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Percent-decodes a value already checked by [`is_valid_value`].
fn decode_value(value: &str) -> String {
    if !value.contains('%') {
        return value.to_owned();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && starts_escape(bytes, i) {
            out.push((hex_digit(bytes[i + 1]) << 4) | hex_digit(bytes[i + 2]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        // Sequences that are not UTF-8 become U+FFFD, as the specification requires.
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Normalizes a property list (`p1; k = v ;p2`) to `p1;k=v;p2`, or `None` when a property
/// is malformed. Empty properties are skipped. Property values stay encoded: metadata is
/// kept in wire form.
fn parse_properties(properties: &str) -> Option<String> {
    let mut out = String::with_capacity(properties.len());
    for property in properties.split(';') {
        if trim_ows(property).is_empty() {
            continue;
        }
        let (key, value) = match property.split_once('=') {
            Some((k, v)) => (trim_ows(k), Some(trim_ows(v))),
            None => (trim_ows(property), None),
        };
        if !is_valid_key(key) {
            return None;
        }
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(key);
        if let Some(value) = value {
            if !is_valid_value(value) {
                return None;
            }
            out.push('=');
            out.push_str(value);
        }
    }
    Some(out)
}

/// Parses one list member: `key OWS "=" OWS value *( OWS ";" OWS property )`.
fn parse_member(member: &str) -> Option<(&str, String, BaggageMetadata)> {
    let (pair, properties) = match member.split_once(';') {
        Some((pair, properties)) => (pair, Some(properties)),
        None => (member, None),
    };
    let (key, value) = pair.split_once('=')?;
    let (key, value) = (trim_ows(key), trim_ows(value));
    if !is_valid_key(key) || !is_valid_value(value) {
        return None;
    }
    let metadata = match properties {
        Some(p) => BaggageMetadata::from(parse_properties(p)?),
        None => BaggageMetadata::default(),
    };
    Some((key, decode_value(value), metadata))
}

/// Reads the members of the `baggage` header values into a new baggage, keeping within the
/// W3C limits (a later duplicate replaces the earlier value only if the result still fits).
fn parse_baggage(values: &[&str]) -> Baggage {
    let mut baggage = Baggage::new();
    // Bytes of the header the kept members encode to (members and commas).
    let mut bytes = 0usize;
    let (mut invalid, mut dropped) = (0usize, 0usize);
    for member in values.iter().flat_map(|v| v.split(',')) {
        if trim_ows(member).is_empty() {
            continue;
        }
        let Some((key, value, metadata)) = parse_member(member) else {
            invalid += 1;
            continue;
        };
        let len = member_len(key, &value, metadata.as_str());
        let total = match baggage.get_with_metadata(key) {
            Some((old_value, old_metadata)) => {
                bytes - member_len(key, old_value.as_str(), old_metadata.as_str()) + len
            }
            None if baggage.len() >= MAX_LIST_MEMBERS => {
                dropped += 1;
                continue;
            }
            None => bytes + usize::from(!baggage.is_empty()) + len,
        };
        if total > MAX_BYTES {
            dropped += 1;
            continue;
        }
        bytes = total;
        baggage.insert_with_metadata(
            Key::from(key.to_owned()),
            StringValue::from(value),
            metadata,
        );
    }
    if invalid > 0 {
        crate::otel_debug!(
            "BaggagePropagator.InvalidMembers",
            "{} malformed baggage member(s) skipped",
            invalid
        );
    }
    if dropped > 0 {
        report_limit(dropped);
    }
    baggage
}

fn report_limit(dropped: usize) {
    crate::otel_warn!(
        "BaggagePropagator.LimitExceeded",
        "{} baggage member(s) dropped: over the limit of {} members or {} bytes",
        dropped,
        MAX_LIST_MEMBERS,
        MAX_BYTES
    );
}

/// Appends `key=value;metadata` to `header` (after a comma unless it is the first member)
/// if the header stays within [`MAX_BYTES`]; returns whether it did.
fn push_member_within_limit(header: &mut String, key: &str, value: &str, metadata: &str) -> bool {
    let comma = usize::from(!header.is_empty());
    // Encoding at most triples a byte: when even that fits, skip measuring the member.
    let most = key.len() + 1 + 3 * value.len() + 1 + 3 * metadata.len();
    if header.len() + comma + most > MAX_BYTES
        && header.len() + comma + member_len(key, value, metadata) > MAX_BYTES
    {
        return false;
    }
    if comma == 1 {
        header.push(',');
    }
    push_member(header, key, value, metadata);
    true
}

impl TextMapPropagator for BaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let baggage = cx.baggage();
        if baggage.is_empty() {
            return;
        }
        let mut header = String::with_capacity(64);
        let (mut members, mut invalid, mut dropped) = (0usize, 0usize, 0usize);
        for (key, (value, metadata)) in baggage {
            if !is_valid_key(key.as_str()) {
                invalid += 1;
            } else if members < MAX_LIST_MEMBERS
                && push_member_within_limit(
                    &mut header,
                    key.as_str(),
                    value.as_str(),
                    metadata.as_str(),
                )
            {
                members += 1;
            } else {
                dropped += 1;
            }
        }
        if invalid > 0 {
            crate::otel_debug!(
                "BaggagePropagator.InvalidKey",
                "{} baggage entries not sent: their names are not HTTP tokens",
                invalid
            );
        }
        if dropped > 0 {
            report_limit(dropped);
        }
        if !header.is_empty() {
            injector.set(BAGGAGE, header);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let values = extractor.get_all(BAGGAGE);
        if values.is_empty() {
            return cx.clone();
        }
        let extracted = parse_baggage(&values);
        if extracted.is_empty() {
            return cx.clone();
        }
        if cx.baggage().is_empty() {
            return cx.with_value(extracted);
        }
        cx.with_baggage(extracted.iter().map(|(k, (v, m))| KeyValueMetadata {
            key: k.clone(),
            value: v.clone(),
            metadata: m.clone(),
        }))
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(&FIELDS)
    }
}

// ---- W3C encoding ----

/// Whether `b` may appear unencoded in a W3C baggage value (`baggage-octet`).
#[inline]
fn is_baggage_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// Whether `b` is an RFC 7230 `tchar` (a character of a `token`).
#[inline]
fn is_token_char(b: u8) -> bool {
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
fn is_valid_key(key: &str) -> bool {
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
fn starts_escape(bytes: &[u8], i: usize) -> bool {
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
fn member_len(key: &str, value: &str, metadata: &str) -> usize {
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
fn push_member(out: &mut String, key: &str, value: &str, metadata: &str) {
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
    use crate::KeyValue;
    use std::collections::HashMap;

    struct Headers(Vec<&'static str>);

    impl Extractor for Headers {
        fn get(&self, _key: &str) -> Option<&str> {
            self.0.first().copied()
        }
        fn keys(&self) -> Vec<&str> {
            vec!["baggage"]
        }
        fn get_all(&self, _key: &str) -> Vec<&str> {
            self.0.clone()
        }
    }

    fn extract(header: &str) -> Baggage {
        let h = HashMap::from([("baggage".to_string(), header.to_string())]);
        BaggagePropagator::new()
            .extract_with_context(&Context::new(), &h)
            .baggage()
            .clone()
    }

    fn entries(b: &Baggage) -> Vec<(String, String, String)> {
        b.iter()
            .map(|(k, (v, m))| (k.to_string(), v.to_string(), m.to_string()))
            .collect()
    }

    fn e(k: &str, v: &str, m: &str) -> (String, String, String) {
        (k.into(), v.into(), m.into())
    }

    fn inject(cx: &Context) -> Option<String> {
        let mut out = HashMap::new();
        BaggagePropagator::new().inject_context(cx, &mut out);
        out.remove("baggage")
    }

    #[test]
    fn w3c_examples() {
        assert_eq!(
            entries(&extract(
                "userId=alice,serverNode=DF%2028,isProduction=false"
            )),
            [
                e("userId", "alice", ""),
                e("serverNode", "DF 28", ""),
                e("isProduction", "false", "")
            ]
        );
        assert_eq!(
            extract("userId=Am%C3%A9lie")
                .get("userId")
                .unwrap()
                .as_str(),
            "Amélie"
        );
        assert_eq!(
            entries(&extract(
                "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"
            )),
            [
                e("key1", "value1", "property1;property2"),
                e("key2", "value2", ""),
                e("key3", "value3", "propertyKey=propertyValue")
            ]
        );
        let split = Headers(vec![
            "userId =   alice",
            "serverNode = DF%2028, isProduction = false",
        ]);
        let cx = BaggagePropagator::new().extract_with_context(&Context::new(), &split);
        assert_eq!(cx.baggage().len(), 3);
        assert_eq!(cx.baggage().get("userId").unwrap().as_str(), "alice");
    }

    #[test]
    fn values_may_contain_equal_signs_and_decode_leniently() {
        assert_eq!(extract("k=a=b==").get("k").unwrap().as_str(), "a=b==");
        assert_eq!(extract("k=").get("k").unwrap().as_str(), "");
        assert_eq!(extract("k=%25%2c%2C").get("k").unwrap().as_str(), "%,,");
        assert_eq!(
            extract("k=%FF%C3x").get("k").unwrap().as_str(),
            "\u{FFFD}\u{FFFD}x"
        );
    }

    #[test]
    fn malformed_members_are_skipped() {
        let b = extract(
            "good=1,noequals,=nokey,bad key=1,k2=bad value,k3=\"q\",k4=a\\b,k5=%zz,k6=%2,ok=2,k7=1;=p,k8=1;p=a b,,  ,",
        );
        assert_eq!(entries(&b), [e("good", "1", ""), e("ok", "2", "")]);
        assert!(extract("").is_empty());
        assert!(extract(",,,").is_empty());
        assert!(extract("k=é").is_empty(), "non-ASCII must be encoded");
    }

    #[test]
    fn later_duplicates_win() {
        assert_eq!(entries(&extract("k=1;p,k=2")), [e("k", "2", "")]);
    }

    #[test]
    fn member_limit_on_extraction() {
        let header: Vec<String> = (0..MAX_LIST_MEMBERS + 10)
            .map(|i| format!("k{i}=v"))
            .collect();
        let b = extract(&header.join(","));
        assert_eq!(b.len(), MAX_LIST_MEMBERS);
        assert!(b.get("k0").is_some());
        assert!(b.get(format!("k{}", MAX_LIST_MEMBERS)).is_none());
    }

    #[test]
    fn byte_limit_on_extraction_never_propagates_partial_members() {
        let big = "x".repeat(5000);
        let b = extract(&format!("a={big},b={big},c=1"));
        assert_eq!(b.len(), 2, "b does not fit, c does");
        assert!(b.get("b").is_none());
        let header = inject(&Context::new().with_value(b)).unwrap();
        assert!(header.len() <= MAX_BYTES);
        assert!(header.ends_with(",c=1"));
    }

    #[test]
    fn a_later_duplicate_that_does_not_fit_keeps_the_earlier_value() {
        let big = "x".repeat(MAX_BYTES);
        let b = extract(&format!("k=1,k={big}"));
        assert_eq!(entries(&b), [e("k", "1", "")]);
        let fits = "x".repeat(MAX_BYTES - 2);
        let b = extract(&format!("k=1,k={fits}"));
        assert_eq!(b.get("k").unwrap().as_str(), fits);
    }

    #[test]
    fn inject_writes_at_most_the_member_limit_in_order() {
        let cx = Context::new()
            .with_baggage((0..MAX_LIST_MEMBERS + 36).map(|i| KeyValue::new(format!("k{i}"), "v")));
        assert_eq!(cx.baggage().len(), 100, "the baggage itself has no limit");
        let want: Vec<String> = (0..MAX_LIST_MEMBERS).map(|i| format!("k{i}=v")).collect();
        assert_eq!(inject(&cx).unwrap(), want.join(","));
        // Entries that are not sent do not count.
        let cx = Context::new().with_baggage(
            std::iter::once(KeyValue::new("not a token", "v"))
                .chain((0..MAX_LIST_MEMBERS).map(|i| KeyValue::new(format!("k{i}"), "v"))),
        );
        assert_eq!(inject(&cx).unwrap(), want.join(","));
    }

    #[test]
    fn inject_leaves_out_whole_members_that_do_not_fit() {
        let big = "x".repeat(5000);
        let cx = Context::new().with_baggage([
            KeyValue::new("a", big.clone()),
            KeyValue::new("b", big.clone()),
            KeyValue::new("c", "1"),
        ]);
        assert_eq!(cx.baggage().len(), 3);
        assert_eq!(inject(&cx).unwrap(), format!("a={big},c=1"));

        // "k=" and 8190 bytes is exactly the limit; nothing more fits after it.
        let exact = "x".repeat(MAX_BYTES - 2);
        let cx = Context::new()
            .with_baggage([KeyValue::new("k", exact.clone()), KeyValue::new("a", "b")]);
        assert_eq!(inject(&cx).unwrap(), format!("k={exact}"));

        // The limit counts encoded bytes: 2731 spaces encode to 8193 bytes with "k=".
        let cx = Context::new().with_baggage([KeyValue::new("k", " ".repeat(2731))]);
        assert_eq!(
            inject(&cx),
            None,
            "a lone member that does not fit is not sent"
        );
        let cx = Context::new().with_baggage([KeyValue::new("k", " ".repeat(2730))]);
        assert_eq!(inject(&cx).unwrap().len(), MAX_BYTES);

        // Metadata counts too.
        let cx = Context::new().with_baggage([
            KeyValueMetadata::new("a", "1", "p".repeat(MAX_BYTES)),
            KeyValueMetadata::new("b", "2", "p"),
        ]);
        assert_eq!(inject(&cx).unwrap(), "b=2;p");
    }

    #[test]
    fn inject_encodes_and_skips_invalid_keys() {
        let cx = Context::new().with_baggage([
            KeyValueMetadata::new("k", "a b;c,d%", "p;q=r s"),
            KeyValueMetadata::new("not a token", "v", ""),
            KeyValueMetadata::new("n", "1", ""),
        ]);
        assert_eq!(inject(&cx).unwrap(), "k=a%20b%3Bc%2Cd%25;p;q=r%20s,n=1");
        assert_eq!(inject(&Context::new()), None);
        let only_invalid = Context::new().with_baggage([KeyValue::new("ä", "v")]);
        assert_eq!(inject(&only_invalid), None);
    }

    #[test]
    fn extraction_merges_into_existing_baggage_and_keeps_it_when_nothing_parses() {
        let cx =
            Context::new().with_baggage([KeyValue::new("local", "1"), KeyValue::new("k", "old")]);
        let h = HashMap::from([("baggage".to_string(), "k=new,remote=2".to_string())]);
        let out = BaggagePropagator::new().extract_with_context(&cx, &h);
        assert_eq!(out.baggage().len(), 3);
        assert_eq!(out.baggage().get("k").unwrap().as_str(), "new");
        let bad = HashMap::from([("baggage".to_string(), "garbage".to_string())]);
        let out = BaggagePropagator::new().extract_with_context(&cx, &bad);
        assert_eq!(out.baggage(), cx.baggage());
        let none: HashMap<String, String> = HashMap::new();
        let out = BaggagePropagator::new().extract_with_context(&cx, &none);
        assert_eq!(out.baggage(), cx.baggage());
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
    fn round_trip() {
        let cx = Context::new().with_baggage([
            KeyValueMetadata::new("user", "Amélie 💼 %20", "ttl=60;secret"),
            KeyValueMetadata::new("n", "", ""),
        ]);
        let header = inject(&cx).unwrap();
        assert_eq!(extract(&header), *cx.baggage());
    }
}
