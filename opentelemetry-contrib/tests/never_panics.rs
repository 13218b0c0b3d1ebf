//! Property tests: extraction from arbitrary input never panics, and whatever it extracts is
//! consistent (OT headers and binary encodings).

use opentelemetry_api::baggage::BaggageExt;
use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;
use opentelemetry_contrib::propagator::{BinaryFormat, BinaryPropagator, OtTracePropagator};
use proptest::prelude::*;
use std::collections::HashMap;

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{0,40}",
        "[0-9a-fA-F -]{0,40}",
        any::<String>(),
        Just("true".to_owned()),
        Just("false".to_owned()),
    ]
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ot-tracer-traceid".to_owned()),
        Just("ot-tracer-spanid".to_owned()),
        Just("ot-tracer-sampled".to_owned()),
        "ot-baggage-[a-z.\\-_]{0,10}",
        "OT-BAGGAGE-.{0,6}",
        any::<String>(),
    ]
}

/// Random bytes, and mutations of well-formed encodings (so valid ones are common too).
fn encodings() -> impl Strategy<Value = Vec<u8>> {
    let structured = (
        proptest::collection::vec(any::<u8>(), 16),
        proptest::collection::vec(any::<u8>(), 8),
        any::<u8>(),
        0usize..32,
        proptest::collection::vec(any::<u8>(), 0..6),
        any::<(usize, u8)>(),
    )
        .prop_map(|(trace, span, options, cut, tail, (at, flip))| {
            let mut b = vec![0u8, 0];
            b.extend(trace);
            b.push(1);
            b.extend(span);
            b.extend([2, options]);
            b.extend(tail);
            if flip % 4 == 0 {
                let i = at % b.len();
                b[i] ^= flip;
            }
            b.truncate(b.len().min(cut.max(1) + 12));
            b
        });
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..64), structured]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ot_extraction_never_panics(headers in proptest::collection::hash_map(header_name(), header_value(), 0..12)) {
        let propagator = OtTracePropagator::new();
        let cx = propagator.extract_with_context(&Context::new(), &headers);
        let span = cx.span();
        let sc = span.span_context();
        if sc.is_valid() {
            prop_assert!(sc.is_remote());
            // A valid extraction re-injects to headers that extract to the same span.
            let mut out: HashMap<String, String> = HashMap::new();
            propagator.inject_context(&cx, &mut out);
            let again = propagator.extract_with_context(&Context::new(), &out);
            prop_assert_eq!(again.span().span_context().span_id(), sc.span_id());
            prop_assert_eq!(again.span().span_context().is_sampled(), sc.is_sampled());
        } else {
            prop_assert!(cx.baggage().is_empty());
        }
    }

    #[test]
    fn binary_decoding_never_panics(bytes in encodings()) {
        let p = BinaryPropagator::new();
        let sc = p.from_bytes(&bytes);
        if sc.is_valid() {
            // Version, trace ID and span ID fields were all there and are re-encoded as read.
            prop_assert!(bytes.len() >= 27);
            prop_assert_eq!(p.to_bytes(&sc)[..27].to_vec(), bytes[..27].to_vec());
            prop_assert!(sc.is_remote());
        }
    }

    #[test]
    fn binary_round_trip(trace in 1u128.., span in 1u64.., flags in any::<u8>()) {
        let p = BinaryPropagator::new();
        let sc = SpanContext::new(
            TraceId::from_bytes(trace.to_be_bytes()),
            SpanId::from_bytes(span.to_be_bytes()),
            TraceFlags::new(flags),
            false,
            TraceState::NONE,
        );
        let back = p.from_bytes(&p.to_bytes(&sc));
        prop_assert_eq!(back.trace_id(), sc.trace_id());
        prop_assert_eq!(back.span_id(), sc.span_id());
        prop_assert_eq!(back.is_sampled(), sc.is_sampled());
        prop_assert!(back.is_remote());
    }
}
