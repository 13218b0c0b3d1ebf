//! The AWS X-Ray trace header propagator.

use opentelemetry_api::otel_debug;
use opentelemetry_api::propagation::{Extractor, FieldIter, Injector, TextMapPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;
use std::sync::Arc;

/// The name of the X-Ray trace header.
pub const AWS_XRAY_TRACE_HEADER: &str = "X-Amzn-Trace-Id";

static FIELDS: [&str; 1] = [AWS_XRAY_TRACE_HEADER];

/// The name extraction looks up: lower case, as HTTP/2 and most HTTP libraries hand header
/// names over, so case-insensitive carriers find it at once (they still find any other case).
const LOOKUP_NAME: &str = "x-amzn-trace-id";

/// `Root=` (5) + `1-` + 8 hex + `-` + 24 hex (35) + `;Parent=` (8) + 16 hex + `;Sampled=` (9)
/// + the flag (1).
const HEADER_LEN: usize = 5 + 35 + 8 + 16 + 9 + 1;

/// The longest `Lineage` value kept; longer ones are dropped as invalid.
const MAX_LINEAGE_LEN: usize = 256;

/// Propagates the span context in the AWS X-Ray trace header, `X-Amzn-Trace-Id`:
/// `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex span id>;Sampled=<0|1>`.
///
/// Extraction accepts the fields in any order, with whitespace around them and their keys in
/// any case, and ignores fields it does not know. `Sampled=?` or a missing `Sampled` means the
/// sender deferred the sampling decision: the span context is not sampled, and re-injecting that
/// same span context writes `Sampled=?` again. A `Lineage` field (Lambda's recursion detection)
/// is kept in the context and written back when a span of the same trace is injected (see
/// [`XrayPropagator::lineage`]). An invalid header adds nothing to the context; extraction never
/// fails and never panics.
///
/// X-Ray accepts only trace IDs that begin with the epoch seconds of their start; use
/// [`XrayIdGenerator`](crate::XrayIdGenerator) in the SDK for traces that start here.
///
/// ```
/// use opentelemetry_api::propagation::TextMapPropagator;
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_api::Context;
/// use opentelemetry_aws::XrayPropagator;
/// use std::collections::HashMap;
///
/// let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
/// let incoming = HashMap::from([("x-amzn-trace-id".to_string(), header.to_string())]);
/// let cx = XrayPropagator::new().extract_with_context(&Context::new(), &incoming);
/// assert!(cx.span().span_context().is_sampled());
///
/// let mut outgoing = HashMap::new();
/// XrayPropagator::new().inject_context(&cx, &mut outgoing);
/// assert_eq!(outgoing["X-Amzn-Trace-Id"], header);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct XrayPropagator {
    _private: (),
}

/// What the header carried besides the span context, kept in the extracted context.
#[derive(Debug)]
struct XrayExtras {
    trace_id: TraceId,
    /// The span whose sampling decision was deferred (`Sampled=?` or absent).
    deferred: Option<SpanId>,
    lineage: Option<Arc<str>>,
}

/// Why a header was rejected (for diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Invalid {
    Root,
    Parent,
    Sampled,
    MissingRoot,
    MissingParent,
}

#[derive(Debug, PartialEq, Eq)]
enum Sampled {
    Yes,
    No,
    Deferred,
}

#[derive(Debug)]
struct Parsed<'a> {
    trace_id: TraceId,
    span_id: SpanId,
    sampled: Sampled,
    lineage: Option<&'a str>,
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

/// Decodes up to 16 hex digits (either case); `None` on a non-hex byte.
#[inline]
fn hex_u64(hex: &[u8]) -> Option<u64> {
    let mut acc = 0u64;
    for &c in hex {
        acc = (acc << 4) | u64::from(hex_val(c)?);
    }
    Some(acc)
}

/// `1-XXXXXXXX-YYYYYYYYYYYYYYYYYYYYYYYY`.
fn parse_root(v: &[u8]) -> Option<TraceId> {
    if v.len() != 35 || v[0] != b'1' || v[1] != b'-' || v[10] != b'-' {
        return None;
    }
    let epoch = hex_u64(&v[2..10])?;
    let mid = hex_u64(&v[11..19])?;
    let low = hex_u64(&v[19..35])?;
    let id = TraceId::from((u128::from(epoch) << 96) | (u128::from(mid) << 64) | u128::from(low));
    id.is_valid().then_some(id)
}

fn parse_parent(v: &[u8]) -> Option<SpanId> {
    if v.len() != 16 {
        return None;
    }
    let id = SpanId::from(hex_u64(v)?);
    id.is_valid().then_some(id)
}

/// Visible ASCII without the header's own delimiters.
fn valid_lineage(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_LINEAGE_LEN
        && v.bytes()
            .all(|c| c.is_ascii_graphic() && c != b';' && c != b'=' && c != b',')
}

#[inline]
fn trim_ows(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// The header exactly as AWS services and this propagator write it, parsed without splitting.
#[inline]
fn parse_canonical(h: &[u8]) -> Option<Parsed<'static>> {
    if h.len() != HEADER_LEN
        || &h[..5] != b"Root="
        || &h[40..48] != b";Parent="
        || &h[64..73] != b";Sampled="
    {
        return None;
    }
    let sampled = match h[73] {
        b'1' => Sampled::Yes,
        b'0' => Sampled::No,
        b'?' => Sampled::Deferred,
        _ => return None,
    };
    Some(Parsed {
        trace_id: parse_root(&h[5..40])?,
        span_id: parse_parent(&h[48..64])?,
        sampled,
        lineage: None,
    })
}

fn parse_header(header: &str) -> Result<Parsed<'_>, Invalid> {
    if let Some(parsed) = parse_canonical(header.as_bytes()) {
        return Ok(parsed);
    }
    let mut trace_id = None;
    let mut span_id = None;
    let mut sampled = Sampled::Deferred;
    let mut lineage = None;
    for field in header.split(';') {
        let Some((key, value)) = field.split_once('=') else {
            continue; // empty or unknown field: ignored
        };
        let key = trim_ows(key);
        let value = trim_ows(value);
        if key.eq_ignore_ascii_case("Root") {
            if trace_id.is_none() {
                trace_id = Some(parse_root(value.as_bytes()).ok_or(Invalid::Root)?);
            }
        } else if key.eq_ignore_ascii_case("Parent") {
            if span_id.is_none() {
                span_id = Some(parse_parent(value.as_bytes()).ok_or(Invalid::Parent)?);
            }
        } else if key.eq_ignore_ascii_case("Sampled") {
            sampled = match value {
                "1" => Sampled::Yes,
                "0" => Sampled::No,
                "?" | "" => Sampled::Deferred,
                _ => return Err(Invalid::Sampled),
            };
        } else if key.eq_ignore_ascii_case("Lineage") {
            if valid_lineage(value) {
                lineage = Some(value);
            } else {
                otel_debug!(
                    "XrayPropagator.InvalidLineage",
                    "X-Ray Lineage {:?} dropped",
                    value
                );
            }
        }
    }
    Ok(Parsed {
        trace_id: trace_id.ok_or(Invalid::MissingRoot)?,
        span_id: span_id.ok_or(Invalid::MissingParent)?,
        sampled,
        lineage,
    })
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn write_hex(bytes: &[u8], out: &mut [u8]) {
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
}

/// Formats the header without `Lineage` into a stack buffer.
#[inline]
fn format_header(trace_id: TraceId, span_id: SpanId, flag: u8) -> [u8; HEADER_LEN] {
    let mut buf = [0u8; HEADER_LEN];
    buf[..7].copy_from_slice(b"Root=1-");
    let t = trace_id.to_bytes();
    write_hex(&t[..4], &mut buf[7..15]);
    buf[15] = b'-';
    write_hex(&t[4..], &mut buf[16..40]);
    buf[40..48].copy_from_slice(b";Parent=");
    write_hex(&span_id.to_bytes(), &mut buf[48..64]);
    buf[64..73].copy_from_slice(b";Sampled=");
    buf[73] = flag;
    buf
}

impl XrayPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        XrayPropagator { _private: () }
    }

    /// The `Lineage` the X-Ray header carried when `cx` (or the context it derives from) was
    /// extracted, if the context's span belongs to that trace.
    ///
    /// ```
    /// use opentelemetry_api::propagation::TextMapPropagator;
    /// use opentelemetry_api::Context;
    /// use opentelemetry_aws::XrayPropagator;
    /// use std::collections::HashMap;
    ///
    /// let header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;\
    ///               Sampled=1;Lineage=a87bd80c:1|68fd508a:5";
    /// let incoming = HashMap::from([("X-Amzn-Trace-Id".to_string(), header.to_string())]);
    /// let cx = XrayPropagator::new().extract_with_context(&Context::new(), &incoming);
    /// assert_eq!(XrayPropagator::lineage(&cx), Some("a87bd80c:1|68fd508a:5"));
    /// ```
    pub fn lineage(cx: &Context) -> Option<&str> {
        let extras = cx.get::<XrayExtras>()?;
        if cx.span().span_context().trace_id() != extras.trace_id {
            return None;
        }
        extras.lineage.as_deref()
    }
}

impl TextMapPropagator for XrayPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let extras = cx
            .get::<XrayExtras>()
            .filter(|e| e.trace_id == sc.trace_id());
        let flag = if sc.is_sampled() {
            b'1'
        } else if extras.is_some_and(|e| e.deferred == Some(sc.span_id())) {
            b'?'
        } else {
            b'0'
        };
        let buf = format_header(sc.trace_id(), sc.span_id(), flag);
        // The buffer holds only ASCII, so the conversion cannot fail.
        let Ok(base) = std::str::from_utf8(&buf) else {
            return;
        };
        let value = match extras.and_then(|e| e.lineage.as_deref()) {
            Some(lineage) => {
                let mut v = String::with_capacity(HEADER_LEN + 9 + lineage.len());
                v.push_str(base);
                v.push_str(";Lineage=");
                v.push_str(lineage);
                v
            }
            None => base.to_owned(),
        };
        injector.set(AWS_XRAY_TRACE_HEADER, value);
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(header) = extractor.get(LOOKUP_NAME) else {
            return cx.clone();
        };
        match parse_header(header) {
            Ok(p) => {
                let flags = if p.sampled == Sampled::Yes {
                    TraceFlags::SAMPLED
                } else {
                    TraceFlags::NOT_SAMPLED
                };
                let sc = SpanContext::new(p.trace_id, p.span_id, flags, true, TraceState::NONE);
                let deferred = (p.sampled == Sampled::Deferred).then_some(p.span_id);
                let cx = cx.with_remote_span_context(sc);
                if deferred.is_none() && p.lineage.is_none() {
                    if cx.get::<XrayExtras>().is_some() {
                        // Do not let extras of an earlier extraction apply to this trace.
                        return cx.with_value(XrayExtras {
                            trace_id: TraceId::INVALID,
                            deferred: None,
                            lineage: None,
                        });
                    }
                    return cx;
                }
                cx.with_value(XrayExtras {
                    trace_id: p.trace_id,
                    deferred,
                    lineage: p.lineage.map(Arc::from),
                })
            }
            Err(reason) => {
                otel_debug!(
                    "XrayPropagator.InvalidHeader",
                    "X-Amzn-Trace-Id {:?} ignored: {:?}",
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

    const TRACE: &str = "5759e988bd862e3fe1be46a994272793";
    const SPAN: &str = "53995c3f42cd8ad8";

    fn extract(header: &str) -> Context {
        let carrier = HashMap::from([(AWS_XRAY_TRACE_HEADER.to_string(), header.to_string())]);
        XrayPropagator::new().extract_with_context(&Context::new(), &carrier)
    }

    fn inject(cx: &Context) -> Option<String> {
        let mut out = HashMap::new();
        XrayPropagator::new().inject_context(cx, &mut out);
        out.remove(AWS_XRAY_TRACE_HEADER)
    }

    fn ids(cx: &Context) -> Option<(String, String, bool)> {
        let span = cx.span();
        let sc = span.span_context();
        sc.is_valid().then(|| {
            assert!(sc.is_remote());
            (
                sc.trace_id().to_string(),
                sc.span_id().to_string(),
                sc.is_sampled(),
            )
        })
    }

    #[test]
    fn extracts_the_documented_header() {
        let cx =
            extract("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        assert_eq!(ids(&cx), Some((TRACE.into(), SPAN.into(), true)));
        let cx =
            extract("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0");
        assert_eq!(ids(&cx), Some((TRACE.into(), SPAN.into(), false)));
    }

    #[test]
    fn extraction_tolerates_order_whitespace_case_and_unknown_fields() {
        for header in [
            "Sampled=1;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793",
            " root = 1-5759e988-bd862e3fe1be46a994272793 ; PARENT=53995c3f42cd8ad8;\tsampled=1 ",
            "Self=1-67891234-12456789abcdef012345678;Root=1-5759E988-BD862E3FE1BE46A994272793;\
             Parent=53995C3F42CD8AD8;Sampled=1;CalledFrom=app;;",
        ] {
            assert_eq!(
                ids(&extract(header)),
                Some((TRACE.into(), SPAN.into(), true)),
                "{header}"
            );
        }
    }

    #[test]
    fn invalid_headers_add_nothing() {
        for header in [
            "",
            "Root=1-5759e988-bd862e3fe1be46a994272793",
            "Parent=53995c3f42cd8ad8;Sampled=1",
            "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
            "Root=1-5759e988bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
            "Root=1-5759e98g-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
            "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=2",
            "Root=1-5759e988-bd862e3fe1be46a99427279é;Parent=53995c3f42cd8ad8",
        ] {
            assert_eq!(ids(&extract(header)), None, "{header:?}");
        }
    }

    #[test]
    fn injects_the_exact_format() {
        let cx =
            extract("sampled=1; parent=53995C3F42CD8AD8; root=1-5759E988-BD862E3FE1BE46A994272793");
        assert_eq!(
            inject(&cx).unwrap(),
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        );
        let sc = SpanContext::new(
            TraceId::from(1),
            SpanId::from(2),
            TraceFlags::NOT_SAMPLED,
            false,
            TraceState::NONE,
        );
        assert_eq!(
            inject(&Context::new().with_remote_span_context(sc)).unwrap(),
            "Root=1-00000000-000000000000000000000001;Parent=0000000000000002;Sampled=0"
        );
        assert_eq!(inject(&Context::new()), None, "no span, no header");
    }

    #[test]
    fn deferred_decision_is_kept_for_the_same_span_only() {
        for header in [
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
        ] {
            let cx = extract(header);
            assert_eq!(ids(&cx), Some((TRACE.into(), SPAN.into(), false)));
            assert_eq!(
                inject(&cx).unwrap(),
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?"
            );
            // A child span under it made its own (negative) decision.
            let child = SpanContext::new(
                cx.span().span_context().trace_id(),
                SpanId::from(7),
                TraceFlags::NOT_SAMPLED,
                false,
                TraceState::NONE,
            );
            assert!(inject(&cx.with_remote_span_context(child))
                .unwrap()
                .ends_with(";Parent=0000000000000007;Sampled=0"));
        }
    }

    #[test]
    fn lineage_is_preserved_within_the_trace() {
        let cx = extract(
            "Lineage=a87bd80c:1|68fd508a:5;Root=1-5759e988-bd862e3fe1be46a994272793;\
             Parent=53995c3f42cd8ad8;Sampled=1",
        );
        assert_eq!(XrayPropagator::lineage(&cx), Some("a87bd80c:1|68fd508a:5"));
        assert_eq!(
            inject(&cx).unwrap(),
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;\
             Lineage=a87bd80c:1|68fd508a:5"
        );
        let child = SpanContext::new(
            cx.span().span_context().trace_id(),
            SpanId::from(9),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        let child_cx = cx.with_remote_span_context(child);
        assert!(inject(&child_cx)
            .unwrap()
            .ends_with(";Parent=0000000000000009;Sampled=1;Lineage=a87bd80c:1|68fd508a:5"));
        // Another trace in the same context does not inherit it.
        let other = SpanContext::new(
            TraceId::from(5),
            SpanId::from(9),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        let other_cx = cx.with_remote_span_context(other);
        assert_eq!(XrayPropagator::lineage(&other_cx), None);
        assert!(inject(&other_cx).unwrap().ends_with("Sampled=1"));
        // A second extraction without lineage clears the first one's, even for the same trace.
        let carrier = HashMap::from([(
            AWS_XRAY_TRACE_HEADER.to_string(),
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
                .to_string(),
        )]);
        let again = XrayPropagator::new().extract_with_context(&cx, &carrier);
        assert_eq!(XrayPropagator::lineage(&again), None);
    }

    #[test]
    fn lineage_values_are_kept_verbatim() {
        // Both the `hash:counter|...` and the `counter:hash:counter` shapes in use.
        for lineage in ["a87bd80c:1|68fd508a:5|c512fbe3:2", "10:1234abcd:3"] {
            let header = format!(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;\
                 Lineage={lineage}"
            );
            let cx = extract(&header);
            assert_eq!(XrayPropagator::lineage(&cx), Some(lineage));
            assert_eq!(inject(&cx).unwrap(), header);
        }
    }

    #[test]
    fn invalid_lineage_is_dropped_but_the_span_kept() {
        let cx = extract(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;\
             Lineage=a b",
        );
        assert!(ids(&cx).is_some());
        assert_eq!(XrayPropagator::lineage(&cx), None);
    }

    #[test]
    fn fields_name_the_header() {
        assert_eq!(
            XrayPropagator::new().fields().collect::<Vec<_>>(),
            [AWS_XRAY_TRACE_HEADER]
        );
    }

    proptest::proptest! {
        #[test]
        fn extraction_never_panics(header in "\\PC{0,120}") {
            let _ = extract(&header);
        }

        #[test]
        fn extraction_never_panics_on_near_valid_headers(
            fields in proptest::collection::vec(
                ("(?i)(root|parent|sampled|lineage|self|x)", "[ \t]{0,2}", "[0-9a-fA-F1?\\-: |=é]{0,40}"),
                0..6,
            )
        ) {
            let header: Vec<String> = fields
                .into_iter()
                .map(|(k, ws, v)| format!("{ws}{k}{ws}={ws}{v}"))
                .collect();
            let _ = extract(&header.join(";"));
        }

        #[test]
        fn round_trips_any_valid_ids(t in 1u128.., s in 1u64.., sampled: bool) {
            let flags = if sampled { TraceFlags::SAMPLED } else { TraceFlags::NOT_SAMPLED };
            let sc = SpanContext::new(TraceId::from(t), SpanId::from(s), flags, false, TraceState::NONE);
            let header = inject(&Context::new().with_remote_span_context(sc)).unwrap();
            let back = extract(&header);
            let span = back.span();
            let got = span.span_context();
            proptest::prop_assert_eq!(got.trace_id(), TraceId::from(t));
            proptest::prop_assert_eq!(got.span_id(), SpanId::from(s));
            proptest::prop_assert_eq!(got.is_sampled(), sampled);
        }
    }
}
