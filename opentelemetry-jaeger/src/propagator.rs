//! The Jaeger propagation format: `uber-trace-id` and `uberctx-*` baggage headers.

use opentelemetry_api::baggage::{Baggage, BaggageExt};
use opentelemetry_api::propagation::{Extractor, FieldIter, Injector, TextMapPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{otel_debug, Context};

/// The trace header.
const TRACE_HEADER: &str = "uber-trace-id";
/// The prefix of baggage headers.
const BAGGAGE_PREFIX: &str = "uberctx-";
static FIELDS: [&str; 1] = [TRACE_HEADER];

/// The trace-flags bit that marks a Jaeger debug trace inside this process.
///
/// Jaeger's debug flag (`0x02` on the wire) is not W3C's `random` flag (also `0x02`), so the
/// propagator keeps it in this otherwise unused bit: extraction of a debug context sets it
/// with `sampled`, spans inherit it from their parent, injection and the exporters write
/// Jaeger's `0x02` for it. Other propagators ignore it.
pub const JAEGER_DEBUG_FLAG: TraceFlags = TraceFlags::new(0x04);

/// Propagates the span context and baggage in Jaeger's format:
/// `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}` (hex IDs, shorter ones
/// left-padded; `%3A` accepted for `:`; flags `1` sampled, `2` debug) and one
/// `uberctx-{key}: {value}` header per baggage entry (values percent-encoded).
///
/// An invalid `uber-trace-id` leaves the context as it was; extraction never panics.
///
/// ```
/// use opentelemetry_api::propagation::TextMapPropagator;
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_api::baggage::BaggageExt;
/// use opentelemetry_jaeger::propagator::JaegerPropagator;
/// use std::collections::HashMap;
///
/// let headers = HashMap::from([
///     ("uber-trace-id".to_string(), "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1".to_string()),
///     ("uberctx-user".to_string(), "alice".to_string()),
/// ]);
/// let propagator = JaegerPropagator::new();
/// let cx = propagator.extract(&headers);
/// assert!(cx.span().span_context().is_sampled());
/// assert_eq!(cx.baggage().get("user").unwrap().as_str(), "alice");
///
/// let mut out = HashMap::new();
/// propagator.inject_context(&cx, &mut out);
/// assert_eq!(out, headers);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct JaegerPropagator {
    _private: (),
}

impl JaegerPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        JaegerPropagator { _private: () }
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parses 1 to `max` hex digits.
fn parse_hex(s: &[u8], max: usize) -> Option<u128> {
    if s.is_empty() || s.len() > max {
        return None;
    }
    s.iter()
        .try_fold(0u128, |acc, &c| Some((acc << 4) | u128::from(hex_val(c)?)))
}

/// Parses `uber-trace-id`, with `:` or `%3A` separators (one pass, no allocation).
fn parse_header(value: &str) -> Option<(TraceId, SpanId, TraceFlags)> {
    let b = value.trim().as_bytes();
    let mut fields: [&[u8]; 4] = [&[]; 4];
    let (mut n, mut start, mut i) = (0, 0, 0);
    while i < b.len() {
        let separator = match b[i] {
            b':' => 1,
            b'%' if b.get(i + 1) == Some(&b'3') && matches!(b.get(i + 2), Some(b'A' | b'a')) => 3,
            _ => 0,
        };
        if separator == 0 {
            i += 1;
            continue;
        }
        if n == 3 {
            return None;
        }
        fields[n] = &b[start..i];
        n += 1;
        i += separator;
        start = i;
    }
    if n != 3 {
        return None;
    }
    fields[3] = &b[start..];
    let [trace, span, parent, flags] = fields;
    let trace_id = TraceId::from_bytes(parse_hex(trace, 32)?.to_be_bytes());
    let span_id = SpanId::from_bytes((parse_hex(span, 16)? as u64).to_be_bytes());
    // The parent span ID is deprecated; it is checked for form only.
    parse_hex(parent, 16)?;
    let flags = parse_hex(flags, 2)? as u8;
    if !trace_id.is_valid() || !span_id.is_valid() {
        return None;
    }
    let mut out = TraceFlags::NOT_SAMPLED;
    if flags & 0x01 != 0 {
        out = out.with_sampled(true);
    }
    if flags & 0x02 != 0 {
        // Debug implies sampled.
        out = TraceFlags::new(TraceFlags::SAMPLED.to_u8() | JAEGER_DEBUG_FLAG.to_u8());
    }
    Some((trace_id, span_id, out))
}

/// Percent-decodes; an invalid escape is kept as written.
fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                out.push((h << 4) | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(c));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        }
    }
    out
}

impl TextMapPropagator for JaegerPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if sc.is_valid() {
            // 32 + 1 + 16 + ":0:" + 1 flag digit.
            let mut buf = [b':'; 53];
            buf[..32].copy_from_slice(&sc.trace_id().to_hex());
            buf[33..49].copy_from_slice(&sc.span_id().to_hex());
            buf[50] = b'0';
            buf[52] = b'0' + crate::model::jaeger_flags(sc.trace_flags()) as u8;
            // The buffer holds only ASCII hex digits, digits and colons.
            if let Ok(header) = std::str::from_utf8(&buf) {
                injector.set(TRACE_HEADER, header.to_owned());
            }
        }
        for (key, (value, _metadata)) in cx.baggage() {
            injector.set(
                &format!("{BAGGAGE_PREFIX}{}", key.as_str()),
                percent_encode(value.as_str()),
            );
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let parsed = extractor.get(TRACE_HEADER).and_then(|header| {
            let parsed = parse_header(header);
            if parsed.is_none() {
                otel_debug!(
                    "JaegerPropagator.InvalidHeader",
                    "uber-trace-id {:?} ignored",
                    header
                );
            }
            parsed
        });
        let cx = match parsed {
            Some((trace_id, span_id, flags)) => cx.with_remote_span_context(SpanContext::new(
                trace_id,
                span_id,
                flags,
                true,
                TraceState::NONE,
            )),
            None => cx.clone(),
        };
        let mut baggage: Option<Baggage> = None;
        for key in extractor.keys() {
            let Some(prefix) = key.get(..BAGGAGE_PREFIX.len()) else {
                continue;
            };
            if !prefix.eq_ignore_ascii_case(BAGGAGE_PREFIX) || key.len() == BAGGAGE_PREFIX.len() {
                continue;
            }
            if let Some(value) = extractor.get(key) {
                let name = key[BAGGAGE_PREFIX.len()..].to_ascii_lowercase();
                baggage
                    .get_or_insert_with(|| cx.baggage().clone())
                    .insert(name, percent_decode(value.trim()).into_owned());
            }
        }
        match baggage {
            Some(b) => cx.with_value(b),
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

    #[test]
    fn short_ids_are_left_padded() {
        let (t, s, f) = parse_header("a1:b2:0:1").unwrap();
        assert_eq!(u128::from_be_bytes(t.to_bytes()), 0xa1);
        assert_eq!(u64::from_be_bytes(s.to_bytes()), 0xb2);
        assert!(f.is_sampled());
    }

    #[test]
    fn percent_coding_round_trips() {
        let s = "a b:ç/%";
        assert_eq!(percent_decode(&percent_encode(s)), s);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
