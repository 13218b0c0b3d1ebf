//! Propagation benchmarks: the W3C Trace Context and Baggage propagators, inject and extract.
//!
//! Feature set: `opentelemetry_api` with its default features (its propagators live in
//! `opentelemetry_api::propagation`); upstream `opentelemetry` 0.33 (`features = ["trace"]`) for
//! the `TextMapPropagator` trait, the context and baggage types, with upstream
//! `opentelemetry_sdk` 0.33 (`default-features = false, features = ["trace"]`), where
//! upstream's `TraceContextPropagator` and `BaggagePropagator` live.
//!
//! Compared, in each group, side by side in one process: `ours/...` (our propagators) and
//! `upstream/...` (upstream's). Both use the same carrier type, `HashMap<String, String>`, with
//! each API's own `Injector`/`Extractor` implementation for it; inject benchmarks build a fresh
//! `HashMap::with_capacity(2)` per iteration on both sides. Before measuring, the setup checks
//! that both sides produce the same headers and extract the same span context and baggage, so
//! the two do the same work.
//!
//! Groups:
//! - `trace_context_inject`: inject a sampled remote span context: `traceparent` only
//!   (`traceparent` variant), and with a two-member `tracestate` (`with_tracestate` variant).
//!   One behavioural difference: for an empty trace state upstream also writes an empty
//!   `tracestate` header (one more map insert and key allocation); ours omits it.
//! - `trace_context_extract`: extract from a carrier holding a `traceparent` only, and one
//!   holding a `traceparent` and a two-member `tracestate`.
//! - `baggage_extract`: extract a realistic five-member `baggage` header with a property
//!   (`;p=1`) and percent-encoded values.
//! - `baggage_inject`: inject the same five entries (one with metadata, two whose values need
//!   percent-encoding).
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;

mod ours {
    pub use opentelemetry_api::baggage::{BaggageExt, KeyValueMetadata};
    pub use opentelemetry_api::propagation::{
        BaggagePropagator, TextMapPropagator, TraceContextPropagator,
    };
    pub use opentelemetry_api::trace::TraceContextExt;
    pub use opentelemetry_api::Context;
}

mod up {
    pub use upstream::baggage::{Baggage, BaggageExt, KeyValueMetadata};
    pub use upstream::propagation::TextMapPropagator;
    pub use upstream::trace::TraceContextExt;
    pub use upstream::Context;
    pub use upstream_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
}

type Carrier = HashMap<String, String>;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACESTATE: &str = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
/// Five members; one property; two percent-encoded values (a space and a comma).
const BAGGAGE: &str = "userId=alice,serverNode=DF%2028,isProduction=false;p=1,\
                       region=eu-west-1,cart=item1%2Citem2";

fn carrier(headers: &[(&str, &str)]) -> Carrier {
    headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The `(key, value, metadata)` entries that [`BAGGAGE`] decodes to.
const BAGGAGE_ENTRIES: [(&str, &str, &str); 5] = [
    ("userId", "alice", ""),
    ("serverNode", "DF 28", ""),
    ("isProduction", "false", "p=1"),
    ("region", "eu-west-1", ""),
    ("cart", "item1,item2", ""),
];

/// Sorted `(key, value, metadata)` triples of a context's baggage, for either API.
macro_rules! baggage_triples {
    ($api:ident, $cx:expr) => {{
        use $api::BaggageExt as _;
        let mut v: Vec<(String, String, String)> = $cx
            .baggage()
            .iter()
            .map(|(k, (v, m))| (k.to_string(), v.to_string(), m.as_str().to_string()))
            .collect();
        v.sort();
        v
    }};
}

/// The baggage header's members, sorted (member order is not specified).
fn sorted_members(header: &str) -> Vec<String> {
    let mut members: Vec<String> = header.split(',').map(|m| m.trim().to_string()).collect();
    members.sort();
    members
}

fn trace_context_inject(c: &mut Criterion) {
    let ours_p = ours::TraceContextPropagator::new();
    let up_p = up::TraceContextPropagator::new();
    let only_tp = carrier(&[("traceparent", TRACEPARENT)]);
    let with_ts = carrier(&[("traceparent", TRACEPARENT), ("tracestate", TRACESTATE)]);

    let ours_cx = {
        use ours::TextMapPropagator as _;
        ours_p.extract_with_context(&ours::Context::new(), &only_tp)
    };
    let ours_cx_ts = {
        use ours::TextMapPropagator as _;
        ours_p.extract_with_context(&ours::Context::new(), &with_ts)
    };
    let up_cx = {
        use up::TextMapPropagator as _;
        up_p.extract_with_context(&up::Context::new(), &only_tp)
    };
    let up_cx_ts = {
        use up::TextMapPropagator as _;
        up_p.extract_with_context(&up::Context::new(), &with_ts)
    };

    // Same input, same output on both sides.
    for (ours_cx, up_cx, expected) in [
        (&ours_cx, &up_cx, &only_tp),
        (&ours_cx_ts, &up_cx_ts, &with_ts),
    ] {
        let mut o = Carrier::new();
        ours::TextMapPropagator::inject_context(&ours_p, ours_cx, &mut o);
        let mut u = Carrier::new();
        up::TextMapPropagator::inject_context(&up_p, up_cx, &mut u);
        assert_eq!(&o, expected, "ours");
        // Upstream also writes an empty `tracestate` header when the trace state is empty.
        u.retain(|_, v| !v.is_empty());
        assert_eq!(&u, expected, "upstream");
    }

    let mut g = c.benchmark_group("trace_context_inject");
    g.bench_function("ours/traceparent", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            ours::TextMapPropagator::inject_context(&ours_p, black_box(&ours_cx), &mut out);
            out
        })
    });
    g.bench_function("upstream/traceparent", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            up::TextMapPropagator::inject_context(&up_p, black_box(&up_cx), &mut out);
            out
        })
    });
    g.bench_function("ours/with_tracestate", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            ours::TextMapPropagator::inject_context(&ours_p, black_box(&ours_cx_ts), &mut out);
            out
        })
    });
    g.bench_function("upstream/with_tracestate", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            up::TextMapPropagator::inject_context(&up_p, black_box(&up_cx_ts), &mut out);
            out
        })
    });
    g.finish();
}

fn trace_context_extract(c: &mut Criterion) {
    let ours_p = ours::TraceContextPropagator::new();
    let up_p = up::TraceContextPropagator::new();
    let only_tp = carrier(&[("traceparent", TRACEPARENT)]);
    let with_ts = carrier(&[("traceparent", TRACEPARENT), ("tracestate", TRACESTATE)]);

    for headers in [&only_tp, &with_ts] {
        let o =
            ours::TextMapPropagator::extract_with_context(&ours_p, &ours::Context::new(), headers);
        let u = up::TextMapPropagator::extract_with_context(&up_p, &up::Context::new(), headers);
        let (o, u) = {
            use ours::TraceContextExt as _;
            use up::TraceContextExt as _;
            (
                o.span().span_context().clone(),
                u.span().span_context().clone(),
            )
        };
        assert!(o.is_valid() && o.is_remote() && o.is_sampled());
        assert!(u.is_valid() && u.is_remote() && u.is_sampled());
        assert_eq!(o.trace_id().to_string(), u.trace_id().to_string());
        assert_eq!(o.span_id().to_string(), u.span_id().to_string());
        assert_eq!(o.trace_state().header(), u.trace_state().header());
    }

    let mut g = c.benchmark_group("trace_context_extract");
    g.bench_function("ours/traceparent", |b| {
        b.iter(|| {
            ours::TextMapPropagator::extract_with_context(
                &ours_p,
                black_box(&ours::Context::new()),
                black_box(&only_tp),
            )
        })
    });
    g.bench_function("upstream/traceparent", |b| {
        b.iter(|| {
            up::TextMapPropagator::extract_with_context(
                &up_p,
                black_box(&up::Context::new()),
                black_box(&only_tp),
            )
        })
    });
    g.bench_function("ours/with_tracestate", |b| {
        b.iter(|| {
            ours::TextMapPropagator::extract_with_context(
                &ours_p,
                black_box(&ours::Context::new()),
                black_box(&with_ts),
            )
        })
    });
    g.bench_function("upstream/with_tracestate", |b| {
        b.iter(|| {
            up::TextMapPropagator::extract_with_context(
                &up_p,
                black_box(&up::Context::new()),
                black_box(&with_ts),
            )
        })
    });
    g.finish();
}

fn baggage_extract(c: &mut Criterion) {
    let ours_p = ours::BaggagePropagator::new();
    let up_p = up::BaggagePropagator::new();
    let headers = carrier(&[("baggage", BAGGAGE)]);

    let expected: Vec<(String, String, String)> = {
        let mut v: Vec<_> = BAGGAGE_ENTRIES
            .iter()
            .map(|(k, v, m)| (k.to_string(), v.to_string(), m.to_string()))
            .collect();
        v.sort();
        v
    };
    let o = ours::TextMapPropagator::extract_with_context(&ours_p, &ours::Context::new(), &headers);
    let u = up::TextMapPropagator::extract_with_context(&up_p, &up::Context::new(), &headers);
    assert_eq!(baggage_triples!(ours, o), expected, "ours");
    assert_eq!(baggage_triples!(up, u), expected, "upstream");

    let mut g = c.benchmark_group("baggage_extract");
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours::TextMapPropagator::extract_with_context(
                &ours_p,
                black_box(&ours::Context::new()),
                black_box(&headers),
            )
        })
    });
    g.bench_function("upstream", |b| {
        b.iter(|| {
            up::TextMapPropagator::extract_with_context(
                &up_p,
                black_box(&up::Context::new()),
                black_box(&headers),
            )
        })
    });
    g.finish();
}

fn baggage_inject(c: &mut Criterion) {
    let ours_p = ours::BaggagePropagator::new();
    let up_p = up::BaggagePropagator::new();

    let ours_cx = {
        use ours::BaggageExt as _;
        ours::Context::new().with_baggage(
            BAGGAGE_ENTRIES
                .iter()
                .map(|&(k, v, m)| ours::KeyValueMetadata::new(k, v, m)),
        )
    };
    let up_cx = {
        use up::BaggageExt as _;
        up::Context::new().with_baggage(
            BAGGAGE_ENTRIES
                .iter()
                .map(|&(k, v, m)| up::KeyValueMetadata::new(k, v, m))
                .collect::<up::Baggage>(),
        )
    };

    // Same members on both sides (their order is unspecified), and the same as the header
    // that `baggage_extract` parses.
    let mut o = Carrier::new();
    ours::TextMapPropagator::inject_context(&ours_p, &ours_cx, &mut o);
    let mut u = Carrier::new();
    up::TextMapPropagator::inject_context(&up_p, &up_cx, &mut u);
    assert_eq!(
        sorted_members(&o["baggage"]),
        sorted_members(BAGGAGE),
        "ours"
    );
    assert_eq!(
        sorted_members(&u["baggage"]),
        sorted_members(BAGGAGE),
        "upstream"
    );

    let mut g = c.benchmark_group("baggage_inject");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            ours::TextMapPropagator::inject_context(&ours_p, black_box(&ours_cx), &mut out);
            out
        })
    });
    g.bench_function("upstream", |b| {
        b.iter(|| {
            let mut out = Carrier::with_capacity(2);
            up::TextMapPropagator::inject_context(&up_p, black_box(&up_cx), &mut out);
            out
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    trace_context_inject,
    trace_context_extract,
    baggage_extract,
    baggage_inject
);
criterion_main!(benches);
