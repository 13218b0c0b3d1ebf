//! The B3 propagator (<https://github.com/openzipkin/b3-propagation>), as the specification's
//! B3 requirements describe it (context/api-propagators.md).

use opentelemetry_api::propagation::{Extractor, FieldIter, Injector, TextMapPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{otel_debug, Context};

const B3: &str = "b3";
const TRACE_ID: &str = "x-b3-traceid";
const SPAN_ID: &str = "x-b3-spanid";
/// Never injected, and not needed on extraction; the tests check it stays out.
#[cfg(test)]
const PARENT_SPAN_ID: &str = "x-b3-parentspanid";
const SAMPLED: &str = "x-b3-sampled";
const FLAGS: &str = "x-b3-flags";

static SINGLE_FIELDS: [&str; 1] = [B3];
static MULTI_FIELDS: [&str; 4] = [TRACE_ID, SPAN_ID, SAMPLED, FLAGS];
static BOTH_FIELDS: [&str; 5] = [B3, TRACE_ID, SPAN_ID, SAMPLED, FLAGS];

/// The headers [`B3Propagator`] injects. Extraction always reads both forms, the single
/// header first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum B3Encoding {
    /// The `b3` header: `{TraceId}-{SpanId}-{SamplingState}` (the default).
    #[default]
    SingleHeader,
    /// `X-B3-TraceId`, `X-B3-SpanId`, and `X-B3-Sampled` or `X-B3-Flags`.
    MultipleHeader,
    /// Both.
    SingleAndMultiHeader,
}

/// The sampling state B3 carries beyond OpenTelemetry's sampled flag, kept in the extracted
/// [`Context`] so that later injections of the same trace propagate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum B3State {
    /// Debug (`d`, `X-B3-Flags: 1`): sampled, and forced through downstream samplers.
    Debug(TraceId),
    /// No sampling decision was made upstream (the sampling state was absent).
    Deferred(TraceId),
}

/// Propagates the span context in Zipkin's B3 format.
///
/// Extraction reads the single `b3` header and, when it is absent or invalid, the
/// `X-B3-*` headers; 64-bit trace IDs are left-padded to 128 bits. The debug flag sets the
/// sampled flag and is propagated by later injections of the same trace; an absent sampling
/// state (a deferred decision) is extracted as not sampled and injected again without one,
/// unless a local sampler sampled the trace since. Anything invalid leaves the context as it
/// was. `X-B3-ParentSpanId` is never injected.
///
/// ```
/// use opentelemetry_api::propagation::TextMapPropagator;
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_api::Context;
/// use opentelemetry_zipkin::propagator::{B3Encoding, B3Propagator};
/// use std::collections::HashMap;
///
/// let incoming = HashMap::from([(
///     "b3".to_string(),
///     "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1".to_string(),
/// )]);
/// let cx = B3Propagator::new().extract_with_context(&Context::new(), &incoming);
/// assert!(cx.span().span_context().is_sampled());
///
/// let mut outgoing = HashMap::new();
/// B3Propagator::with_encoding(B3Encoding::MultipleHeader).inject_context(&cx, &mut outgoing);
/// assert_eq!(outgoing["x-b3-traceid"], "80f198ee56343ba864fe8b2a57d3eff7");
/// assert_eq!(outgoing["x-b3-spanid"], "e457b5a2e4d86bd1");
/// assert_eq!(outgoing["x-b3-sampled"], "1");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct B3Propagator {
    encoding: B3Encoding,
}

impl B3Propagator {
    /// A propagator injecting the single `b3` header.
    pub const fn new() -> Self {
        B3Propagator {
            encoding: B3Encoding::SingleHeader,
        }
    }

    /// A propagator injecting the given headers.
    pub const fn with_encoding(encoding: B3Encoding) -> Self {
        B3Propagator { encoding }
    }

    /// The headers it injects.
    pub const fn encoding(&self) -> B3Encoding {
        self.encoding
    }
}

/// What a B3 header says about sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sampling {
    Accept,
    Deny,
    Debug,
    Deferred,
}

#[inline]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes up to 32 hex digits into the low bytes of a big-endian array (left-padding).
#[inline]
fn decode_hex<const N: usize>(hex: &[u8]) -> Option<[u8; N]> {
    if hex.len() % 2 != 0 || hex.len() > 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    let offset = N - hex.len() / 2;
    for (o, pair) in out[offset..].iter_mut().zip(hex.chunks_exact(2)) {
        *o = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
    }
    Some(out)
}

/// A trace ID of 16 or 32 hex digits, not all zero.
fn parse_trace_id(hex: &[u8]) -> Option<TraceId> {
    if hex.len() != 16 && hex.len() != 32 {
        return None;
    }
    let id = TraceId::from_bytes(decode_hex::<16>(hex)?);
    id.is_valid().then_some(id)
}

/// A span ID of 16 hex digits, not all zero.
fn parse_span_id(hex: &[u8]) -> Option<SpanId> {
    if hex.len() != 16 {
        return None;
    }
    let id = SpanId::from_bytes(decode_hex::<8>(hex)?);
    id.is_valid().then_some(id)
}

/// Parses the `b3` header: `{TraceId}-{SpanId}[-{SamplingState}[-{ParentSpanId}]]`. A lone
/// sampling state carries no IDs, so it makes no span context.
fn parse_single(value: &str) -> Option<(TraceId, SpanId, Sampling)> {
    let mut parts = value.trim().split('-');
    let trace_id = parse_trace_id(parts.next()?.as_bytes())?;
    let span_id = parse_span_id(parts.next()?.as_bytes())?;
    let sampling = match parts.next() {
        None => Sampling::Deferred,
        Some("1") => Sampling::Accept,
        Some("0") => Sampling::Deny,
        Some("d") => Sampling::Debug,
        Some(_) => return None,
    };
    if let Some(parent) = parts.next() {
        // Validated for the header's sake; OpenTelemetry has no use for it.
        parse_span_id(parent.as_bytes())?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some((trace_id, span_id, sampling))
}

/// Parses the `X-B3-*` headers.
fn parse_multi(extractor: &dyn Extractor) -> Option<(TraceId, SpanId, Sampling)> {
    let trace_id = parse_trace_id(extractor.get(TRACE_ID)?.trim().as_bytes())?;
    let span_id = parse_span_id(extractor.get(SPAN_ID)?.trim().as_bytes())?;
    // `X-B3-ParentSpanId` is not read: OpenTelemetry has no use for it, and a separate header
    // that is malformed does not make the IDs above any less valid.
    let debug = extractor.get(FLAGS).map(str::trim) == Some("1");
    let sampling = match extractor.get(SAMPLED).map(str::trim) {
        _ if debug => Sampling::Debug,
        None => Sampling::Deferred,
        // "true" and "false" are what early B3 implementations sent.
        Some("1" | "true") => Sampling::Accept,
        Some("0" | "false") => Sampling::Deny,
        Some(_) => return None,
    };
    Some((trace_id, span_id, sampling))
}

impl B3Propagator {
    fn extract_ids(&self, extractor: &dyn Extractor) -> Option<(TraceId, SpanId, Sampling)> {
        if let Some(single) = extractor.get(B3) {
            match parse_single(single) {
                Some(ids) => return Some(ids),
                None => otel_debug!(
                    "B3Propagator.InvalidHeader",
                    "b3 header ignored: {single:?}"
                ),
            }
        }
        parse_multi(extractor)
    }
}

/// Lowercase hex digits of `bytes` into `out`.
#[inline]
fn encode_hex(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (b, o) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        o[0] = DIGITS[usize::from(b >> 4)];
        o[1] = DIGITS[usize::from(b & 0xf)];
    }
}

/// The buffer's ASCII hex digits and dashes as a `String`.
fn ascii(buf: &[u8]) -> String {
    // Only ASCII was written, so this never falls back.
    String::from_utf8(buf.to_vec()).unwrap_or_default()
}

impl TextMapPropagator for B3Propagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let trace_id = sc.trace_id();
        let state = match cx.get::<B3State>() {
            Some(B3State::Debug(t)) if *t == trace_id => Sampling::Debug,
            Some(B3State::Deferred(t)) if *t == trace_id && !sc.is_sampled() => Sampling::Deferred,
            _ if sc.is_sampled() => Sampling::Accept,
            _ => Sampling::Deny,
        };
        // `{32 hex}-{16 hex}-{state}`.
        let mut buf = [b'-'; 51];
        encode_hex(&trace_id.to_bytes(), &mut buf[..32]);
        encode_hex(&sc.span_id().to_bytes(), &mut buf[33..49]);
        let single = matches!(
            self.encoding,
            B3Encoding::SingleHeader | B3Encoding::SingleAndMultiHeader
        );
        let multi = matches!(
            self.encoding,
            B3Encoding::MultipleHeader | B3Encoding::SingleAndMultiHeader
        );
        if single {
            let len = match state {
                Sampling::Deferred => 49,
                Sampling::Accept => {
                    buf[50] = b'1';
                    51
                }
                Sampling::Deny => {
                    buf[50] = b'0';
                    51
                }
                Sampling::Debug => {
                    buf[50] = b'd';
                    51
                }
            };
            injector.set(B3, ascii(&buf[..len]));
        }
        if multi {
            injector.set(TRACE_ID, ascii(&buf[..32]));
            injector.set(SPAN_ID, ascii(&buf[33..49]));
            match state {
                Sampling::Accept => injector.set(SAMPLED, "1".to_owned()),
                Sampling::Deny => injector.set(SAMPLED, "0".to_owned()),
                // Debug implies sampled: B3 sends the flag alone.
                Sampling::Debug => injector.set(FLAGS, "1".to_owned()),
                Sampling::Deferred => {}
            }
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some((trace_id, span_id, sampling)) = self.extract_ids(extractor) else {
            return cx.clone();
        };
        let sampled = matches!(sampling, Sampling::Accept | Sampling::Debug);
        let sc = SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::default().with_sampled(sampled),
            true,
            TraceState::NONE,
        );
        let cx = cx.with_remote_span_context(sc);
        match sampling {
            Sampling::Debug => cx.with_value(B3State::Debug(trace_id)),
            Sampling::Deferred => cx.with_value(B3State::Deferred(trace_id)),
            Sampling::Accept | Sampling::Deny => cx,
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(match self.encoding {
            B3Encoding::SingleHeader => &SINGLE_FIELDS,
            B3Encoding::MultipleHeader => &MULTI_FIELDS,
            B3Encoding::SingleAndMultiHeader => &BOTH_FIELDS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const TRACE: &str = "80f198ee56343ba864fe8b2a57d3eff7";
    const SPAN: &str = "e457b5a2e4d86bd1";
    const PARENT: &str = "05e3ac9a4f6e3b90";

    fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn extract(pairs: &[(&str, &str)]) -> Context {
        B3Propagator::new().extract_with_context(&Context::new(), &headers(pairs))
    }

    fn sc(cx: &Context) -> SpanContext {
        cx.span().span_context().clone()
    }

    fn inject(cx: &Context, encoding: B3Encoding) -> HashMap<String, String> {
        let mut out = HashMap::new();
        B3Propagator::with_encoding(encoding).inject_context(cx, &mut out);
        out
    }

    #[test]
    fn single_header_sampling_states() {
        for (state, sampled) in [("1", true), ("0", false), ("d", true)] {
            let cx = extract(&[("b3", &format!("{TRACE}-{SPAN}-{state}"))]);
            let sc = sc(&cx);
            assert!(sc.is_valid() && sc.is_remote(), "{state}");
            assert_eq!(sc.trace_id(), TraceId::from_hex(TRACE).unwrap());
            assert_eq!(sc.span_id(), SpanId::from_hex(SPAN).unwrap());
            assert_eq!(sc.is_sampled(), sampled, "{state}");
            // Injected back as received.
            assert_eq!(
                inject(&cx, B3Encoding::SingleHeader)["b3"],
                format!("{TRACE}-{SPAN}-{state}")
            );
        }
        // With the parent span ID: accepted, never injected.
        let cx = extract(&[("b3", &format!("{TRACE}-{SPAN}-1-{PARENT}"))]);
        assert!(sc(&cx).is_sampled());
        let out = inject(&cx, B3Encoding::SingleAndMultiHeader);
        assert_eq!(out["b3"], format!("{TRACE}-{SPAN}-1"));
        assert!(!out.contains_key(PARENT_SPAN_ID));
    }

    #[test]
    fn deferred_sampling_is_extracted_unsampled_and_injected_without_a_state() {
        let cx = extract(&[("b3", &format!("{TRACE}-{SPAN}"))]);
        assert!(sc(&cx).is_valid() && !sc(&cx).is_sampled());
        let out = inject(&cx, B3Encoding::SingleAndMultiHeader);
        assert_eq!(out["b3"], format!("{TRACE}-{SPAN}"));
        assert!(!out.contains_key(SAMPLED) && !out.contains_key(FLAGS));

        let cx = extract(&[("X-B3-TraceId", TRACE), ("X-B3-SpanId", SPAN)]);
        assert!(sc(&cx).is_valid() && !sc(&cx).is_sampled());
        assert_eq!(
            inject(&cx, B3Encoding::SingleHeader)["b3"],
            format!("{TRACE}-{SPAN}")
        );
    }

    #[test]
    fn multi_header_cases() {
        type Headers<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Headers<'_>, bool, &str); 6] = [
            (&[("X-B3-Sampled", "1")], true, "1"),
            (&[("X-B3-Sampled", "0")], false, "0"),
            (&[("X-B3-Sampled", "true")], true, "1"),
            (&[("X-B3-Sampled", "false")], false, "0"),
            (&[("X-B3-Flags", "1")], true, "d"),
            (&[("X-B3-Flags", "1"), ("X-B3-Sampled", "0")], true, "d"),
        ];
        for (extra, sampled, single_state) in cases {
            let mut pairs = vec![
                ("X-B3-TraceId", TRACE),
                ("X-B3-SpanId", SPAN),
                ("X-B3-ParentSpanId", PARENT),
            ];
            pairs.extend_from_slice(extra);
            let cx = extract(&pairs);
            assert_eq!(sc(&cx).is_sampled(), sampled, "{extra:?}");
            assert_eq!(
                inject(&cx, B3Encoding::SingleHeader)["b3"],
                format!("{TRACE}-{SPAN}-{single_state}")
            );
            let multi = inject(&cx, B3Encoding::MultipleHeader);
            assert_eq!(multi[TRACE_ID], TRACE);
            assert_eq!(multi[SPAN_ID], SPAN);
            assert!(!multi.contains_key(B3) && !multi.contains_key(PARENT_SPAN_ID));
            if single_state == "d" {
                assert_eq!(multi[FLAGS], "1");
                assert!(!multi.contains_key(SAMPLED));
            } else {
                assert_eq!(multi[SAMPLED], single_state);
            }
        }
    }

    #[test]
    fn single_header_takes_precedence_and_invalid_single_falls_back_to_multi() {
        let other = "0102030405060708090a0b0c0d0e0f10";
        let cx = extract(&[
            ("b3", &format!("{TRACE}-{SPAN}-1")),
            ("X-B3-TraceId", other),
            ("X-B3-SpanId", SPAN),
        ]);
        assert_eq!(sc(&cx).trace_id(), TraceId::from_hex(TRACE).unwrap());
        let cx = extract(&[
            ("b3", "garbage"),
            ("X-B3-TraceId", other),
            ("X-B3-SpanId", SPAN),
            ("X-B3-Sampled", "1"),
        ]);
        assert_eq!(sc(&cx).trace_id(), TraceId::from_hex(other).unwrap());
    }

    #[test]
    fn sixty_four_bit_trace_ids_are_left_padded() {
        let cx = extract(&[("b3", &format!("64fe8b2a57d3eff7-{SPAN}-1"))]);
        assert_eq!(
            sc(&cx).trace_id(),
            TraceId::from_hex("000000000000000064fe8b2a57d3eff7").unwrap()
        );
        let cx = extract(&[
            ("x-b3-traceid", "64fe8b2a57d3eff7"),
            ("x-b3-spanid", SPAN),
            ("x-b3-sampled", "1"),
        ]);
        assert_eq!(
            inject(&cx, B3Encoding::MultipleHeader)[TRACE_ID],
            "000000000000000064fe8b2a57d3eff7"
        );
    }

    #[test]
    fn invalid_input_leaves_the_context_empty() {
        let zero_trace = "0".repeat(32);
        let zero_span = "0".repeat(16);
        let bad_singles = [
            "".to_string(),
            "1".to_string(),
            "d".to_string(),
            TRACE.to_string(),
            format!("{TRACE}-{SPAN}-2"),
            format!("{TRACE}-{SPAN}-1-{PARENT}-x"),
            format!("{TRACE}-{SPAN}-1-xyz"),
            format!("{zero_trace}-{SPAN}-1"),
            format!("{TRACE}-{zero_span}-1"),
            format!("{TRACE}a-{SPAN}-1"),
            format!("{}-{SPAN}-1", &TRACE[..20]),
            format!("{TRACE}-{}-1", &SPAN[..15]),
            format!("{}-{SPAN}-1", "g".repeat(32)),
            "é".repeat(24),
        ];
        for bad in &bad_singles {
            let cx = extract(&[("b3", bad)]);
            assert!(!sc(&cx).is_valid(), "{bad:?}");
            assert!(inject(&cx, B3Encoding::SingleAndMultiHeader).is_empty());
        }
        let bad_multis: [&[(&str, &str)]; 5] = [
            &[("X-B3-TraceId", TRACE)],
            &[("X-B3-SpanId", SPAN)],
            &[
                ("X-B3-TraceId", TRACE),
                ("X-B3-SpanId", SPAN),
                ("X-B3-Sampled", "yes"),
            ],
            &[("X-B3-TraceId", "xyz"), ("X-B3-SpanId", SPAN)],
            &[("X-B3-TraceId", TRACE), ("X-B3-SpanId", "0000000000000000")],
        ];
        for bad in bad_multis {
            assert!(!sc(&extract(bad)).is_valid(), "{bad:?}");
        }
        // The parent span ID header is not needed, so a malformed one is ignored.
        let cx = extract(&[
            ("X-B3-TraceId", TRACE),
            ("X-B3-SpanId", SPAN),
            ("X-B3-ParentSpanId", "0"),
        ]);
        assert!(sc(&cx).is_valid());
    }

    #[test]
    fn debug_and_deferred_states_only_apply_to_their_trace() {
        let cx = extract(&[("b3", &format!("{TRACE}-{SPAN}-d"))]);
        // A new trace started under this context is not a debug trace.
        let other = SpanContext::new(
            TraceId::from_hex("0102030405060708090a0b0c0d0e0f10").unwrap(),
            SpanId::from_hex(SPAN).unwrap(),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        let cx = cx.with_remote_span_context(other);
        assert_eq!(
            inject(&cx, B3Encoding::SingleHeader)["b3"],
            format!("0102030405060708090a0b0c0d0e0f10-{SPAN}-1")
        );
    }

    #[test]
    fn fields_follow_the_encoding() {
        let fields = |e| {
            B3Propagator::with_encoding(e)
                .fields()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(B3Encoding::SingleHeader), ["b3"]);
        assert_eq!(fields(B3Encoding::MultipleHeader), MULTI_FIELDS);
        assert_eq!(fields(B3Encoding::SingleAndMultiHeader), BOTH_FIELDS);
        assert_eq!(B3Propagator::default().encoding(), B3Encoding::SingleHeader);
    }

    #[test]
    fn injection_of_an_invalid_context_writes_nothing() {
        assert!(inject(&Context::new(), B3Encoding::SingleAndMultiHeader).is_empty());
    }

    proptest! {
        #[test]
        fn extraction_never_panics(
            single in proptest::option::of(".{0,80}"),
            trace in proptest::option::of("[0-9a-fA-Fx-]{0,40}"),
            span in proptest::option::of("[0-9a-f]{0,20}"),
            parent in proptest::option::of("[0-9a-f-]{0,20}"),
            sampled in proptest::option::of(".{0,5}"),
            flags in proptest::option::of(".{0,3}"),
            ids in "[0-9a-f]{16,32}-[0-9a-f]{16}(-[01d])?(-[0-9a-f]{0,17})?",
        ) {
            let mut h = HashMap::new();
            for (k, v) in [(B3, single), (TRACE_ID, trace), (SPAN_ID, span),
                           (PARENT_SPAN_ID, parent), (SAMPLED, sampled), (FLAGS, flags)] {
                if let Some(v) = v {
                    h.insert(k.to_string(), v);
                }
            }
            for p in [B3Propagator::new(), B3Propagator::with_encoding(B3Encoding::SingleAndMultiHeader)] {
                let cx = p.extract_with_context(&Context::new(), &h);
                let mut out = HashMap::new();
                p.inject_context(&cx, &mut out);
                // Whatever was extracted is injected back consistently.
                prop_assert_eq!(cx.span().span_context().is_valid(), !out.is_empty());
                let near_valid = HashMap::from([(B3.to_string(), ids.clone())]);
                let cx = p.extract_with_context(&Context::new(), &near_valid);
                if cx.span().span_context().is_valid() {
                    let mut out = HashMap::new();
                    p.inject_context(&cx, &mut out);
                    // The IDs survive the round trip; a 64-bit trace ID comes back padded.
                    let (trace_hex, rest) = ids.split_once('-').unwrap();
                    prop_assert_eq!(&out[B3][..32], format!("{trace_hex:0>32}"));
                    prop_assert_eq!(&out[B3][33..49], &rest[..16]);
                }
            }
        }
    }
}
