//! The OT trace propagator: the headers of the OpenTracing "basic tracers"
//! (`ot-tracer-traceid`, `ot-tracer-spanid`, `ot-tracer-sampled`, `ot-baggage-*`).

use opentelemetry_api::baggage::{Baggage, BaggageExt};
use opentelemetry_api::propagation::{Extractor, FieldIter, Injector, TextMapPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;

const TRACE_ID_HEADER: &str = "ot-tracer-traceid";
const SPAN_ID_HEADER: &str = "ot-tracer-spanid";
const SAMPLED_HEADER: &str = "ot-tracer-sampled";
const BAGGAGE_PREFIX: &str = "ot-baggage-";
static FIELDS: [&str; 3] = [TRACE_ID_HEADER, SPAN_ID_HEADER, SAMPLED_HEADER];

/// At most this many baggage entries are injected or extracted (the W3C baggage limits).
const MAX_BAGGAGE_ENTRIES: usize = 180;
/// Entries longer than this (name and value bytes) are skipped.
const MAX_BAGGAGE_BYTES_PER_ENTRY: usize = 4096;
/// Injection and extraction stop at this many bytes of names and values.
const MAX_BAGGAGE_TOTAL_BYTES: usize = 8192;

/// Propagates trace context and baggage in the OT trace format of the OpenTracing basic
/// tracers (the `ottrace` value of `OTEL_PROPAGATORS`).
///
/// Injection writes `ot-tracer-traceid` as 16 lowercase hex digits (the low half of the
/// trace ID, as the format's 64-bit IDs require), `ot-tracer-spanid` as 16 hex digits,
/// `ot-tracer-sampled` as `true` or `false`, and one `ot-baggage-<name>` header per baggage
/// entry whose name is an HTTP token and whose value is header-safe. Extraction accepts trace
/// IDs of 1 to 32 and span IDs of 1 to 16 lowercase hex digits (shorter ones are
/// zero-extended), as the OpenTelemetry Python propagator does; anything invalid leaves the
/// context without a remote span (and without the `ot-baggage-*` entries).
///
/// ```
/// use opentelemetry_api::propagation::TextMapPropagator;
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_contrib::propagator::OtTracePropagator;
/// use std::collections::HashMap;
///
/// let mut headers = HashMap::new();
/// headers.insert("ot-tracer-traceid".to_string(), "00000000000000000000000000000abc".to_string());
/// headers.insert("ot-tracer-spanid".to_string(), "0000000000000def".to_string());
/// headers.insert("ot-tracer-sampled".to_string(), "true".to_string());
///
/// let propagator = OtTracePropagator::new();
/// let cx = propagator.extract(&headers);
/// let span = cx.span();
/// assert!(span.span_context().is_sampled());
///
/// let mut out = HashMap::new();
/// propagator.inject_context(&cx, &mut out);
/// assert_eq!(out["ot-tracer-traceid"], "0000000000000abc");
/// assert_eq!(out["ot-tracer-spanid"], "0000000000000def");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct OtTracePropagator {
    _private: (),
}

impl OtTracePropagator {
    /// The propagator.
    pub const fn new() -> Self {
        OtTracePropagator { _private: () }
    }
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Parses 1 to `2 * N` lowercase hex digits into `N` big-endian bytes, zero-extended.
#[inline]
fn parse_hex_id<const N: usize>(value: &str) -> Option<[u8; N]> {
    let digits = value.as_bytes();
    if digits.is_empty() || digits.len() > 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    // Fill from the least significant digit.
    for (i, &d) in digits.iter().rev().enumerate() {
        let v = hex_val(d)?;
        let byte = N - 1 - i / 2;
        out[byte] |= if i % 2 == 0 { v } else { v << 4 };
    }
    Some(out)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn hex16(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(16);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

/// An HTTP header-name token character (RFC 9110 `tchar`).
#[inline]
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A baggage value that can go into a header: tab, visible ASCII and space, or
/// U+0080..U+00FF (what the Python propagator accepts); not empty.
#[inline]
fn is_header_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c == '\t' || (' '..='~').contains(&c) || ('\u{80}'..='\u{ff}').contains(&c))
}

fn inject_baggage(baggage: &Baggage, injector: &mut dyn Injector) {
    let mut total = 0usize;
    for (entries, (name, (value, _))) in baggage.iter().enumerate() {
        if entries >= MAX_BAGGAGE_ENTRIES {
            opentelemetry_api::otel_debug!(
                "OtTracePropagator.BaggageTruncated",
                "more than {} baggage entries; the rest is not injected",
                MAX_BAGGAGE_ENTRIES
            );
            break;
        }
        let (name, value) = (name.as_str(), value.as_str());
        let size = name.len() + value.len();
        if size > MAX_BAGGAGE_BYTES_PER_ENTRY
            || name.is_empty()
            || !name.bytes().all(is_tchar)
            || !is_header_value(value)
        {
            opentelemetry_api::otel_debug!(
                "OtTracePropagator.BaggageEntrySkipped",
                "baggage entry {:?} cannot be sent as an ot-baggage header",
                name
            );
            continue;
        }
        if total + size > MAX_BAGGAGE_TOTAL_BYTES {
            opentelemetry_api::otel_debug!(
                "OtTracePropagator.BaggageTruncated",
                "baggage over {} bytes; the rest is not injected",
                MAX_BAGGAGE_TOTAL_BYTES
            );
            break;
        }
        total += size;
        let mut header = String::with_capacity(BAGGAGE_PREFIX.len() + name.len());
        header.push_str(BAGGAGE_PREFIX);
        header.push_str(name);
        injector.set(&header, value.to_owned());
    }
}

fn extract_baggage(cx: &Context, extractor: &dyn Extractor) -> Option<Baggage> {
    let mut baggage = cx.baggage().clone();
    let mut total: usize = baggage
        .iter()
        .map(|(k, (v, _))| k.as_str().len() + v.as_str().len())
        .sum();
    let mut entries = baggage.len();
    let mut changed = false;
    for key in extractor.keys() {
        let Some(name) = key
            .get(..BAGGAGE_PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(BAGGAGE_PREFIX))
            .map(|_| &key[BAGGAGE_PREFIX.len()..])
        else {
            continue;
        };
        let Some(value) = extractor.get(key) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if entries >= MAX_BAGGAGE_ENTRIES {
            opentelemetry_api::otel_debug!(
                "OtTracePropagator.BaggageTruncated",
                "more than {} baggage entries; the rest is not extracted",
                MAX_BAGGAGE_ENTRIES
            );
            break;
        }
        entries += 1;
        let size = name.len() + value.len();
        if size > MAX_BAGGAGE_BYTES_PER_ENTRY {
            continue;
        }
        let replaced = baggage
            .get(name)
            .map(|old| name.len() + old.as_str().len())
            .unwrap_or(0);
        if total + size - replaced > MAX_BAGGAGE_TOTAL_BYTES {
            opentelemetry_api::otel_debug!(
                "OtTracePropagator.BaggageTruncated",
                "baggage over {} bytes; the rest is not extracted",
                MAX_BAGGAGE_TOTAL_BYTES
            );
            break;
        }
        total = total + size - replaced;
        baggage.insert(name.to_owned(), value.to_owned());
        changed = true;
    }
    changed.then_some(baggage)
}

impl TextMapPropagator for OtTracePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        // The OT format's trace IDs are 64 bits: send the low half.
        injector.set(TRACE_ID_HEADER, hex16(&sc.trace_id().to_bytes()[8..]));
        injector.set(SPAN_ID_HEADER, hex16(&sc.span_id().to_bytes()));
        injector.set(
            SAMPLED_HEADER,
            if sc.is_sampled() { "true" } else { "false" }.to_owned(),
        );
        let baggage = cx.baggage();
        if !baggage.is_empty() {
            inject_baggage(baggage, injector);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let trace_id = extractor
            .get(TRACE_ID_HEADER)
            .and_then(parse_hex_id::<16>)
            .map(TraceId::from_bytes)
            .filter(|id| id.is_valid());
        let span_id = extractor
            .get(SPAN_ID_HEADER)
            .and_then(parse_hex_id::<8>)
            .map(SpanId::from_bytes)
            .filter(|id| id.is_valid());
        let (Some(trace_id), Some(span_id)) = (trace_id, span_id) else {
            if extractor.get(TRACE_ID_HEADER).is_some() {
                opentelemetry_api::otel_debug!(
                    "OtTracePropagator.InvalidContext",
                    "ot-tracer-traceid or ot-tracer-spanid is invalid; nothing extracted"
                );
            }
            return cx.clone();
        };
        let flags = if extractor.get(SAMPLED_HEADER) == Some("true") {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::NOT_SAMPLED
        };
        let span_context = SpanContext::new(trace_id, span_id, flags, true, TraceState::NONE);
        let cx = cx.with_remote_span_context(span_context);
        match extract_baggage(&cx, extractor) {
            Some(baggage) => cx.with_value(baggage),
            None => cx,
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(&FIELDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn extract(headers: &[(&str, &str)]) -> Context {
        let map: HashMap<String, String> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OtTracePropagator::new().extract_with_context(&Context::new(), &map)
    }

    #[test]
    fn ids_of_any_length_up_to_the_maximum() {
        let cx = extract(&[
            (TRACE_ID_HEADER, "abc"),
            (SPAN_ID_HEADER, "1"),
            (SAMPLED_HEADER, "true"),
        ]);
        let span = cx.span();
        let sc = span.span_context();
        assert_eq!(sc.trace_id(), TraceId::from_bytes(0xabc_u128.to_be_bytes()));
        assert_eq!(sc.span_id(), SpanId::from_bytes(1_u64.to_be_bytes()));
        assert!(sc.is_sampled() && sc.is_remote());
    }

    #[test]
    fn invalid_ids_extract_nothing() {
        for (t, s) in [
            ("", "1"),
            ("ABC", "1"),
            ("0", "1"),
            (&"a".repeat(33)[..], "1"),
            ("abc", "00000000000000000"),
            ("abc", "0"),
            ("abc", "x"),
            ("a bc", "1"),
        ] {
            let cx = extract(&[
                (TRACE_ID_HEADER, t),
                (SPAN_ID_HEADER, s),
                ("ot-baggage-k", "v"),
            ]);
            assert!(!cx.has_active_span(), "{t} {s}");
            assert!(cx.baggage().is_empty());
        }
    }

    #[test]
    fn sampled_only_when_true() {
        for (v, sampled) in [
            ("true", true),
            ("false", false),
            ("1", false),
            ("True", false),
        ] {
            let cx = extract(&[
                (TRACE_ID_HEADER, "abc"),
                (SPAN_ID_HEADER, "1"),
                (SAMPLED_HEADER, v),
            ]);
            assert_eq!(cx.span().span_context().is_sampled(), sampled, "{v}");
        }
    }

    #[test]
    fn baggage_round_trip_and_skips_unsendable_entries() {
        let sc = SpanContext::new(
            TraceId::from_hex("0102030405060708090a0b0c0d0e0f10").unwrap(),
            SpanId::from_hex("0102030405060708").unwrap(),
            TraceFlags::NOT_SAMPLED,
            false,
            TraceState::NONE,
        );
        let cx = Context::new().with_remote_span_context(sc).with_baggage([
            opentelemetry_api::KeyValue::new("user", "ann"),
            opentelemetry_api::KeyValue::new("bad name", "x"),
            opentelemetry_api::KeyValue::new("ctl", "a\nb"),
        ]);
        let mut out: HashMap<String, String> = HashMap::new();
        OtTracePropagator::new().inject_context(&cx, &mut out);
        assert_eq!(out[TRACE_ID_HEADER], "090a0b0c0d0e0f10");
        assert_eq!(out[SPAN_ID_HEADER], "0102030405060708");
        assert_eq!(out[SAMPLED_HEADER], "false");
        assert_eq!(out["ot-baggage-user"], "ann");
        assert_eq!(out.len(), 4);

        let back = OtTracePropagator::new().extract_with_context(&Context::new(), &out);
        assert_eq!(back.baggage().get("user").unwrap().as_str(), "ann");
        assert_eq!(
            back.span().span_context().trace_id(),
            TraceId::from_bytes(0x090a0b0c0d0e0f10_u128.to_be_bytes())
        );
    }

    #[test]
    fn baggage_limits() {
        let big = "v".repeat(5000);
        let mut headers: Vec<(String, String)> = vec![
            (TRACE_ID_HEADER.into(), "abc".into()),
            (SPAN_ID_HEADER.into(), "1".into()),
            ("ot-baggage-big".into(), big),
        ];
        for i in 0..300 {
            headers.push((format!("ot-baggage-k{i}"), "x".repeat(40)));
        }
        let map: HashMap<String, String> = headers.into_iter().collect();
        let cx = OtTracePropagator::new().extract_with_context(&Context::new(), &map);
        let b = cx.baggage();
        assert!(b.get("big").is_none());
        assert!(b.len() <= MAX_BAGGAGE_ENTRIES);
        let total: usize = b
            .iter()
            .map(|(k, (v, _))| k.as_str().len() + v.as_str().len())
            .sum();
        assert!(total <= MAX_BAGGAGE_TOTAL_BYTES && total > 7000, "{total}");
    }

    #[test]
    fn invalid_context_injects_nothing() {
        let mut out: HashMap<String, String> = HashMap::new();
        OtTracePropagator::new().inject_context(&Context::new(), &mut out);
        assert!(out.is_empty());
        let propagator = OtTracePropagator::new();
        let fields: Vec<&str> = propagator.fields().collect();
        assert_eq!(fields, FIELDS);
    }
}
