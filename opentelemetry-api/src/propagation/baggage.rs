//! The W3C Baggage propagator (`baggage` header).

use super::{trim_ows, Extractor, FieldIter, Injector, TextMapPropagator};
use crate::baggage::{
    is_baggage_octet, is_valid_key, push_member, starts_escape, Baggage, BaggageExt,
    BaggageMetadata, Refused,
};
use crate::{Context, Key, StringValue};

const BAGGAGE: &str = "baggage";
static FIELDS: [&str; 1] = [BAGGAGE];

/// Propagates [`Baggage`] in the W3C Baggage format: the `baggage` header, a comma-separated
/// list of `key=value;property;...` members with percent-encoded values.
///
/// Extraction combines repeated headers, ignores whitespace around keys, values and
/// properties, decodes values (invalid UTF-8 becomes U+FFFD), keeps properties as the
/// entry's [`BaggageMetadata`], skips malformed members, lets a later duplicate key win, and
/// keeps within the W3C limits. The extracted entries are added to the context's baggage.
/// Injection percent-encodes values and skips entries whose key is not an HTTP token.
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
    /// Creates the propagator.
    pub const fn new() -> Self {
        BaggagePropagator { _private: () }
    }
}

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

/// Reads every member of the `baggage` header values into a new baggage.
fn parse_baggage(values: &[&str]) -> Baggage {
    let mut baggage = Baggage::new();
    let (mut invalid, mut dropped) = (0usize, 0usize);
    for member in values.iter().flat_map(|v| v.split(',')) {
        if trim_ows(member).is_empty() {
            continue;
        }
        match parse_member(member) {
            Some((key, value, metadata)) => {
                let key = Key::from(key.to_owned());
                match baggage.try_insert(key, StringValue::from(value), metadata) {
                    Ok(_) => {}
                    Err((_, Refused::EmptyKey)) => invalid += 1,
                    Err(_) => dropped += 1,
                }
            }
            None => invalid += 1,
        }
    }
    if invalid > 0 {
        crate::otel_debug!(
            "BaggagePropagator.InvalidMembers",
            "{} malformed baggage member(s) skipped",
            invalid
        );
    }
    if dropped > 0 {
        crate::otel_warn!(
            "BaggagePropagator.LimitExceeded",
            "{} baggage member(s) dropped: over the limit of {} members or {} bytes",
            dropped,
            crate::baggage::MAX_LIST_MEMBERS,
            crate::baggage::MAX_BYTES
        );
    }
    baggage
}

impl TextMapPropagator for BaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let baggage = cx.baggage();
        if baggage.is_empty() {
            return;
        }
        let mut header = String::with_capacity(64);
        for (key, (value, metadata)) in baggage {
            if !is_valid_key(key.as_str()) {
                crate::otel_debug!(
                    "BaggagePropagator.InvalidKey",
                    "baggage entry {:?} not sent: its name is not an HTTP token",
                    key.as_str()
                );
                continue;
            }
            if !header.is_empty() {
                header.push(',');
            }
            push_member(&mut header, key.as_str(), value.as_str(), metadata.as_str());
        }
        if !header.is_empty() {
            injector.set(BAGGAGE, header);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(values) = extractor.get_all(BAGGAGE) else {
            return cx.clone();
        };
        let extracted = parse_baggage(&values);
        if extracted.is_empty() {
            return cx.clone();
        }
        if cx.baggage().is_empty() {
            return cx.with_value(extracted);
        }
        cx.with_baggage(
            extracted
                .iter()
                .map(|(k, (v, m))| crate::baggage::KeyValueMetadata {
                    key: k.clone(),
                    value: v.clone(),
                    metadata: m.clone(),
                }),
        )
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(&FIELDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baggage::{KeyValueMetadata, MAX_BYTES, MAX_LIST_MEMBERS};
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
        fn get_all(&self, _key: &str) -> Option<Vec<&str>> {
            Some(self.0.clone())
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
    fn round_trip() {
        let cx = Context::new().with_baggage([
            KeyValueMetadata::new("user", "Amélie 💼 %20", "ttl=60;secret"),
            KeyValueMetadata::new("n", "", ""),
        ]);
        let header = inject(&cx).unwrap();
        assert_eq!(extract(&header), *cx.baggage());
    }
}
