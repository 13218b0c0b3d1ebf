//! The W3C Trace Context propagator (`traceparent` and `tracestate`, Level 2).

use super::{trim_ows, Extractor, FieldIter, Injector, TextMapPropagator};
use crate::trace::{
    encode_hex, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use crate::Context;

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
static FIELDS: [&str; 2] = [TRACEPARENT, TRACESTATE];

/// The only version this propagator writes.
const VERSION: u8 = 0;
/// Length of a version-00 `traceparent`: `vv-<32 hex>-<16 hex>-ff`.
const TRACEPARENT_LEN: usize = 55;
/// The flags this version defines (sampled and random); the others are written as zero.
const KNOWN_FLAGS: u8 = TraceFlags::SAMPLED.to_u8() | TraceFlags::RANDOM.to_u8();

/// Propagates the span context in the W3C Trace Context format (Level 2): the `traceparent`
/// header (version, trace ID, parent span ID, flags) and the vendor `tracestate` header.
///
/// Extraction follows the specification's versioning rules: version `ff` and malformed
/// headers (upper-case hex, all-zero IDs, wrong lengths or delimiters) are ignored; a higher
/// version is parsed as `00` when it is at least 55 characters long and the flags are
/// followed by the end or a `-`. Only the sampled and random flags are kept. Several
/// `tracestate` values are combined; an invalid `tracestate` is discarded while the
/// `traceparent` is kept. The extracted span context is remote. Injection writes version
/// `00`, and nothing at all for an invalid span context.
///
/// ```
/// use opentelemetry_api::propagation::{TextMapPropagator, TraceContextPropagator};
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_api::Context;
/// use std::collections::HashMap;
///
/// let propagator = TraceContextPropagator::new();
/// let headers = HashMap::from([
///     ("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03".to_string()),
///     ("tracestate".to_string(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".to_string()),
/// ]);
/// let cx = propagator.extract_with_context(&Context::new(), &headers);
/// let sc = cx.span().span_context().clone();
/// assert!(sc.is_remote() && sc.is_sampled() && sc.trace_flags().is_random());
/// assert_eq!(sc.trace_state().get("congo"), Some("t61rcWkgMzE"));
///
/// let mut out = HashMap::new();
/// propagator.inject_context(&cx, &mut out);
/// assert_eq!(out, headers);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceContextPropagator {
    _private: (),
}

impl TraceContextPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        TraceContextPropagator { _private: () }
    }
}

/// Why a `traceparent` was rejected (for diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invalid {
    Version,
    Length,
    Delimiter,
    TraceId,
    SpanId,
    Flags,
}

#[inline]
fn lower_hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Decodes exactly `2 * N` lowercase hex digits.
#[inline]
fn decode_lower_hex<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *o = (lower_hex_val(pair[0])? << 4) | lower_hex_val(pair[1])?;
    }
    Some(out)
}

/// Parses a `traceparent` value (already trimmed of surrounding whitespace).
fn parse_traceparent(value: &[u8]) -> Result<(TraceId, SpanId, TraceFlags), Invalid> {
    if value.len() < 3 || value[2] != b'-' {
        return Err(Invalid::Version);
    }
    let version = decode_lower_hex::<1>(&value[..2]).ok_or(Invalid::Version)?[0];
    if version == 0xff {
        return Err(Invalid::Version);
    }
    match value.len().cmp(&TRACEPARENT_LEN) {
        std::cmp::Ordering::Less => return Err(Invalid::Length),
        std::cmp::Ordering::Equal => {}
        // Version 00 is exactly 55 characters; a higher version may append `-`-led fields.
        std::cmp::Ordering::Greater if version == VERSION => return Err(Invalid::Length),
        std::cmp::Ordering::Greater if value[TRACEPARENT_LEN] != b'-' => {
            return Err(Invalid::Delimiter)
        }
        std::cmp::Ordering::Greater => {}
    }
    if value[35] != b'-' || value[52] != b'-' {
        return Err(Invalid::Delimiter);
    }
    let trace_id = decode_lower_hex::<16>(&value[3..35]).ok_or(Invalid::TraceId)?;
    let trace_id = TraceId::from_bytes(trace_id);
    if !trace_id.is_valid() {
        return Err(Invalid::TraceId);
    }
    let span_id = decode_lower_hex::<8>(&value[36..52]).ok_or(Invalid::SpanId)?;
    let span_id = SpanId::from_bytes(span_id);
    if !span_id.is_valid() {
        return Err(Invalid::SpanId);
    }
    let flags = decode_lower_hex::<1>(&value[53..55]).ok_or(Invalid::Flags)?[0];
    Ok((trace_id, span_id, TraceFlags::new(flags & KNOWN_FLAGS)))
}

/// Parses the (possibly repeated) `tracestate` header; `NONE` when absent, empty or invalid.
fn extract_trace_state(extractor: &dyn Extractor) -> TraceState {
    let values = extractor.get_all(TRACESTATE);
    let parsed = match values.as_slice() {
        [] => return TraceState::NONE,
        [one] => {
            if trim_ows(one).is_empty() {
                return TraceState::NONE;
            }
            one.parse::<TraceState>()
        }
        many => {
            if many.iter().all(|v| trim_ows(v).is_empty()) {
                return TraceState::NONE;
            }
            many.join(",").parse::<TraceState>()
        }
    };
    parsed.unwrap_or_else(|err| {
        crate::otel_debug!(
            "TraceContextPropagator.InvalidTraceState",
            "tracestate discarded: {}",
            err
        );
        TraceState::NONE
    })
}

/// Formats a version-00 `traceparent` into a stack buffer.
#[inline]
fn format_traceparent(sc: &SpanContext) -> [u8; TRACEPARENT_LEN] {
    let mut buf = [b'-'; TRACEPARENT_LEN];
    buf[0] = b'0';
    buf[1] = b'0';
    encode_hex(&sc.trace_id().to_bytes(), &mut buf[3..35]);
    encode_hex(&sc.span_id().to_bytes(), &mut buf[36..52]);
    encode_hex(&[sc.trace_flags().to_u8() & KNOWN_FLAGS], &mut buf[53..55]);
    buf
}

impl TextMapPropagator for TraceContextPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let buf = format_traceparent(sc);
        // The buffer holds only ASCII hex digits and dashes, so this always succeeds.
        if let Ok(traceparent) = std::str::from_utf8(&buf) {
            injector.set(TRACEPARENT, traceparent.to_owned());
        }
        if !sc.trace_state().is_empty() {
            injector.set(TRACESTATE, sc.trace_state().header());
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(header) = extractor.get(TRACEPARENT) else {
            return cx.clone();
        };
        match parse_traceparent(trim_ows(header).as_bytes()) {
            Ok((trace_id, span_id, flags)) => {
                let trace_state = extract_trace_state(extractor);
                cx.with_remote_span_context(SpanContext::new(
                    trace_id,
                    span_id,
                    flags,
                    true,
                    trace_state,
                ))
            }
            Err(reason) => {
                crate::otel_debug!(
                    "TraceContextPropagator.InvalidTraceparent",
                    "traceparent {:?} ignored: invalid {:?}",
                    header,
                    reason
                );
                cx.clone()
            }
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

    /// A carrier that keeps repeated headers apart.
    struct Headers(Vec<(&'static str, String)>);

    impl Extractor for Headers {
        fn get(&self, key: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.iter().map(|(k, _)| *k).collect()
        }
        fn get_all(&self, key: &str) -> Vec<&str> {
            self.0
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
                .collect()
        }
    }

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn extract(tp: &str, ts: Option<&str>) -> SpanContext {
        let mut h = HashMap::new();
        h.insert("traceparent".to_string(), tp.to_string());
        if let Some(ts) = ts {
            h.insert("tracestate".to_string(), ts.to_string());
        }
        TraceContextPropagator::new()
            .extract_with_context(&Context::new(), &h)
            .span()
            .span_context()
            .clone()
    }

    fn valid(tp: &str) -> bool {
        extract(tp, None).is_valid()
    }

    #[test]
    fn w3c_examples() {
        let sc = extract(TP, Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
        assert_eq!(
            sc.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(sc.span_id().to_string(), "00f067aa0ba902b7");
        assert!(sc.is_sampled() && sc.is_remote());
        assert_eq!(sc.trace_state().len(), 2);
        let not_sampled = extract(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
            None,
        );
        assert!(not_sampled.is_valid() && !not_sampled.is_sampled());
    }

    #[test]
    fn versions() {
        let tail = "-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert!(valid(&format!("00{tail}")));
        assert!(valid(&format!("01{tail}")));
        assert!(valid(&format!("cc{tail}")));
        assert!(valid(&format!("fe{tail}")));
        assert!(!valid(&format!("ff{tail}")), "version ff is forbidden");
        assert!(!valid(&format!("CC{tail}")), "upper-case version");
        assert!(!valid(&format!("0{tail}")));
        assert!(!valid(&format!("000{tail}")));
        assert!(!valid(&format!("g0{tail}")));
        // Future versions may append fields after a dash; version 00 may not.
        assert!(valid(&format!("cc{tail}-what-the-future-will-be-like")));
        assert!(valid(&format!("cc{tail}-")));
        assert!(!valid(&format!("cc{tail}.what-the-future-will-be-like")));
        assert!(!valid(&format!("cc{tail}1")));
        assert!(!valid(&format!("00{tail}-what-the-future-will-be-like")));
        assert!(!valid(&format!("00{tail}-")));
        // Shorter than 55 is never parsed.
        assert!(!valid(
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"
        ));
    }

    #[test]
    fn ids_and_flags() {
        assert!(!valid(
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"
        ));
        assert!(!valid(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"
        ));
        assert!(!valid(
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01"
        ));
        assert!(!valid(
            "00-4bf92f3577b34da6a3ce929d0e0e47-3600f067aa0ba902b7-01"
        ));
        assert!(!valid(""));
        assert!(!valid("00"));
        assert!(!valid("00-"));
        let random = extract(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02",
            None,
        );
        assert!(random.trace_flags().is_random() && !random.is_sampled());
        let all = extract(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff",
            None,
        );
        assert_eq!(all.trace_flags().to_u8(), 0x03, "unknown flags are zeroed");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert!(valid(&format!(" \t{TP}\t ")));
        assert!(!valid(&format!("{TP} x")));
    }

    #[test]
    fn tracestate_handling() {
        // Invalid tracestate is discarded, traceparent kept.
        let sc = extract(TP, Some("foo=1,foo=2"));
        assert!(sc.is_valid() && sc.trace_state().is_empty());
        let sc = extract(TP, Some("Foo=1"));
        assert!(sc.is_valid() && sc.trace_state().is_empty());
        // Empty and whitespace-only values and members are accepted.
        assert!(extract(TP, Some("")).trace_state().is_empty());
        assert!(extract(TP, Some(" \t ")).trace_state().is_empty());
        assert_eq!(
            extract(TP, Some(" a=1 \t, ,b=2 ")).trace_state().header(),
            "a=1,b=2"
        );
        // 32 entries kept, 33 discard the whole header.
        let max: Vec<String> = (0..32).map(|i| format!("k{i}=v")).collect();
        assert_eq!(extract(TP, Some(&max.join(","))).trace_state().len(), 32);
        let over: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
        assert!(extract(TP, Some(&over.join(","))).trace_state().is_empty());
    }

    #[test]
    fn tracestate_from_several_headers_is_combined() {
        let h = Headers(vec![
            ("traceparent", TP.into()),
            ("tracestate", "".into()),
            ("TraceState", "a=1".into()),
            ("tracestate", "b=2, c=3".into()),
        ]);
        let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), &h);
        assert_eq!(
            cx.span().span_context().trace_state().header(),
            "a=1,b=2,c=3"
        );
        let dup = Headers(vec![
            ("traceparent", TP.into()),
            ("tracestate", "a=1".into()),
            ("tracestate", "a=2".into()),
        ]);
        let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), &dup);
        assert!(cx.span().span_context().is_valid());
        assert!(cx.span().span_context().trace_state().is_empty());
    }

    #[test]
    fn tracestate_without_traceparent_is_ignored() {
        let mut h = HashMap::new();
        h.insert("tracestate".to_string(), "a=1".to_string());
        let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), &h);
        assert!(!cx.has_active_span());
    }

    #[test]
    fn invalid_header_keeps_the_existing_context() {
        let existing = SpanContext::new(
            TraceId::from(7u128),
            SpanId::from(8u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        let cx = Context::new().with_remote_span_context(existing.clone());
        let mut h = HashMap::new();
        h.insert("traceparent".to_string(), "garbage".to_string());
        let out = TraceContextPropagator::new().extract_with_context(&cx, &h);
        assert_eq!(out.span().span_context(), &existing);
    }

    #[test]
    fn inject_writes_version_00_and_skips_invalid_contexts() {
        let p = TraceContextPropagator::new();
        let mut out = HashMap::new();
        p.inject_context(&Context::new(), &mut out);
        assert!(out.is_empty(), "no span, nothing injected");
        let invalid = SpanContext::new(
            TraceId::INVALID,
            SpanId::from(1u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        p.inject_context(&Context::new().with_remote_span_context(invalid), &mut out);
        assert!(out.is_empty());

        let sc = SpanContext::new(
            TraceId::from(0x4bf92f3577b34da6a3ce929d0e0e4736u128),
            SpanId::from(0x00f067aa0ba902b7u64),
            TraceFlags::new(0xff),
            false,
            "congo=t61rcWkgMzE".parse().unwrap(),
        );
        p.inject_context(&Context::new().with_remote_span_context(sc), &mut out);
        assert_eq!(
            out["traceparent"],
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03"
        );
        assert_eq!(out["tracestate"], "congo=t61rcWkgMzE");

        // A higher version is written back as 00.
        let sc = extract(
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            None,
        );
        let mut out = HashMap::new();
        p.inject_context(&Context::new().with_remote_span_context(sc), &mut out);
        assert_eq!(out["traceparent"], TP);
        assert!(!out.contains_key("tracestate"), "empty tracestate not sent");
    }

    #[test]
    fn inject_uses_the_current_context() {
        let sc = extract(TP, None);
        let _g = Context::new().with_remote_span_context(sc).attach();
        let mut out = HashMap::new();
        TraceContextPropagator::new().inject(&mut out);
        assert_eq!(out["traceparent"], TP);
    }

    #[test]
    fn fields() {
        assert_eq!(
            TraceContextPropagator::new().fields().collect::<Vec<_>>(),
            ["traceparent", "tracestate"]
        );
    }
}
