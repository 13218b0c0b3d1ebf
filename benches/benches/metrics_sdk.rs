//! Metrics SDK benchmarks: our `opentelemetry_sdk::metrics` against the published upstream
//! `opentelemetry_sdk` 0.33 (features `metrics`, `experimental_metrics_custom_reader` for its
//! manual reader, `experimental_metrics_bound_instruments` for `bind`), both with one
//! cumulative manual reader and no views.
//!
//! Groups (each with `ours/…` and `upstream/…`):
//! - `counter_add`: `Counter<u64>::add` on an existing series with 0, 3 and 10 attributes,
//!   passed in sorted order and in reverse order.
//! - `histogram_record_3_attrs`: `Histogram<f64>::record` with 3 attributes.
//! - `exponential_histogram_record`: `Histogram<f64>::record` through a view selecting the
//!   base-2 exponential histogram (160 buckets, max scale 20), cycling through 64 values
//!   spread over 1e-3..1e3 (so the recorded series has settled its scale): `3_attrs` with 3
//!   attributes, `bound` on an instrument bound to them (the aggregator's own cost).
//! - `gauge_record`: `Gauge<f64>::record` with 3 attributes.
//! - `bound_counter_add`: `add` on a counter bound to 3 attributes.
//! - `counter_add_2_threads`: two threads adding to the same series of one counter (time per
//!   add, all threads together).
//! - `collect_1000_series`: one collection of a counter with 1000 series.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

mod ours {
    pub use opentelemetry_api::metrics::{Meter, MeterProvider};
    pub use opentelemetry_api::KeyValue;
    pub use opentelemetry_sdk::metrics::{ManualReader, ResourceMetrics, SdkMeterProvider};

    pub fn setup() -> (SdkMeterProvider, ManualReader, Meter) {
        let reader = ManualReader::builder().build();
        let provider = SdkMeterProvider::builder()
            .with_reader(reader.clone())
            .build();
        let meter = provider.meter("bench");
        (provider, reader, meter)
    }

    /// With a view making histogram `name` a default base-2 exponential histogram.
    pub fn setup_exponential(name: &'static str) -> (SdkMeterProvider, ManualReader, Meter) {
        use opentelemetry_sdk::metrics::{Aggregation, InstrumentSelector, Stream, View};
        let reader = ManualReader::builder().build();
        let provider = SdkMeterProvider::builder()
            .with_reader(reader.clone())
            .with_view(View::new(
                InstrumentSelector::new().with_name(name),
                Stream::new().with_aggregation(Aggregation::default_exponential_histogram()),
            ))
            .build();
        let meter = provider.meter("bench");
        (provider, reader, meter)
    }
}

mod up {
    pub use upstream::metrics::{Meter, MeterProvider};
    pub use upstream::KeyValue;
    use upstream_sdk::error::OTelSdkResult;
    pub use upstream_sdk::metrics::data::ResourceMetrics;
    pub use upstream_sdk::metrics::reader::MetricReader;
    use upstream_sdk::metrics::{InstrumentKind, Pipeline, Temporality};
    pub use upstream_sdk::metrics::{ManualReader, SdkMeterProvider};

    /// Upstream's manual reader is not `Clone`: share it with the provider.
    #[derive(Clone, Debug)]
    pub struct Shared(pub super::Arc<ManualReader>);

    impl MetricReader for Shared {
        fn register_pipeline(&self, pipeline: super::Weak<Pipeline>) {
            self.0.register_pipeline(pipeline)
        }
        fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
            self.0.collect(rm)
        }
        fn force_flush(&self) -> OTelSdkResult {
            self.0.force_flush()
        }
        fn shutdown_with_timeout(&self, timeout: std::time::Duration) -> OTelSdkResult {
            self.0.shutdown_with_timeout(timeout)
        }
        fn temporality(&self, kind: InstrumentKind) -> Temporality {
            self.0.temporality(kind)
        }
    }

    pub fn setup() -> (SdkMeterProvider, Shared, Meter) {
        let reader = Shared(super::Arc::new(ManualReader::builder().build()));
        let provider = SdkMeterProvider::builder()
            .with_reader(reader.clone())
            .build();
        let meter = provider.meter("bench");
        (provider, reader, meter)
    }

    /// With a view making histogram `name` a default base-2 exponential histogram.
    pub fn setup_exponential(name: &'static str) -> (SdkMeterProvider, Shared, Meter) {
        use upstream_sdk::metrics::{Aggregation, Instrument, Stream};
        let reader = Shared(super::Arc::new(ManualReader::builder().build()));
        let provider = SdkMeterProvider::builder()
            .with_reader(reader.clone())
            .with_view(move |i: &Instrument| {
                (i.name() == name).then(|| {
                    Stream::builder()
                        .with_aggregation(Aggregation::Base2ExponentialHistogram {
                            max_size: 160,
                            max_scale: 20,
                            record_min_max: true,
                        })
                        .build()
                        .ok()
                })?
            })
            .build();
        let meter = provider.meter("bench");
        (provider, reader, meter)
    }
}

const KEYS: [&str; 10] = [
    "http.request.method",
    "http.response.status_code",
    "http.route",
    "network.protocol.version",
    "server.address",
    "server.port",
    "url.scheme",
    "user_agent.original",
    "client.address",
    "error.type",
];
const VALUES: [&str; 10] = [
    "GET",
    "200",
    "/users/{id}",
    "1.1",
    "example.com",
    "443",
    "https",
    "curl/8.0",
    "10.0.0.1",
    "none",
];

macro_rules! attrs {
    ($api:ident, $n:expr) => {{
        (0..$n)
            .map(|i| $api::KeyValue::new(KEYS[i], VALUES[i]))
            .collect::<Vec<_>>()
    }};
}

fn counter_add(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_add");
    let (_op, _or, om) = ours::setup();
    let (_up, _ur, um) = up::setup();
    let oc = om.u64_counter("c").build();
    let uc = um.u64_counter("c").build();
    for n in [0usize, 3, 10] {
        let o_sorted = attrs!(ours, n);
        let u_sorted = attrs!(up, n);
        let mut o_rev = o_sorted.clone();
        o_rev.reverse();
        let mut u_rev = u_sorted.clone();
        u_rev.reverse();
        oc.add(1, &o_sorted);
        uc.add(1, &u_sorted);
        oc.add(1, &o_rev);
        uc.add(1, &u_rev);
        g.bench_function(format!("ours/{n}_attrs_sorted"), |b| {
            b.iter(|| oc.add(black_box(1), black_box(&o_sorted)))
        });
        g.bench_function(format!("upstream/{n}_attrs_sorted"), |b| {
            b.iter(|| uc.add(black_box(1), black_box(&u_sorted)))
        });
        if n > 0 {
            g.bench_function(format!("ours/{n}_attrs_unsorted"), |b| {
                b.iter(|| oc.add(black_box(1), black_box(&o_rev)))
            });
            g.bench_function(format!("upstream/{n}_attrs_unsorted"), |b| {
                b.iter(|| uc.add(black_box(1), black_box(&u_rev)))
            });
        }
    }
    g.finish();
}

fn histogram_and_gauge(c: &mut Criterion) {
    let (_op, _or, om) = ours::setup();
    let (_up, _ur, um) = up::setup();
    let (oa, ua) = (attrs!(ours, 3), attrs!(up, 3));

    let mut g = c.benchmark_group("histogram_record_3_attrs");
    let oh = om.f64_histogram("h").build();
    let uh = um.f64_histogram("h").build();
    g.bench_function("ours", |b| {
        b.iter(|| oh.record(black_box(42.5), black_box(&oa)))
    });
    g.bench_function("upstream", |b| {
        b.iter(|| uh.record(black_box(42.5), black_box(&ua)))
    });
    g.finish();

    let mut g = c.benchmark_group("exponential_histogram_record");
    let (_oep, _oer, oem) = ours::setup_exponential("e");
    let (_uep, _uer, uem) = up::setup_exponential("e");
    let oe = oem.f64_histogram("e").build();
    let ue = uem.f64_histogram("e").build();
    // 64 values from 1e-3 to 1e3, evenly spread on a log scale.
    let values: Vec<f64> = (0..64)
        .map(|i| 10f64.powf(-3.0 + 6.0 * i as f64 / 63.0))
        .collect();
    for v in &values {
        oe.record(*v, &oa);
        ue.record(*v, &ua);
    }
    let mut i = 0usize;
    g.bench_function("ours/3_attrs", |b| {
        b.iter(|| {
            i = (i + 1) & 63;
            oe.record(black_box(values[i]), black_box(&oa))
        })
    });
    g.bench_function("upstream/3_attrs", |b| {
        b.iter(|| {
            i = (i + 1) & 63;
            ue.record(black_box(values[i]), black_box(&ua))
        })
    });
    let (obe, ube) = (oe.bind(&oa), ue.bind(&ua));
    g.bench_function("ours/bound", |b| {
        b.iter(|| {
            i = (i + 1) & 63;
            obe.record(black_box(values[i]))
        })
    });
    g.bench_function("upstream/bound", |b| {
        b.iter(|| {
            i = (i + 1) & 63;
            ube.record(black_box(values[i]))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("gauge_record");
    let og = om.f64_gauge("g").build();
    let ug = um.f64_gauge("g").build();
    g.bench_function("ours", |b| {
        b.iter(|| og.record(black_box(1.5), black_box(&oa)))
    });
    g.bench_function("upstream", |b| {
        b.iter(|| ug.record(black_box(1.5), black_box(&ua)))
    });
    g.finish();

    let mut g = c.benchmark_group("bound_counter_add");
    let ob = om.u64_counter("bound").build().bind(&oa);
    let ub = um.u64_counter("bound").build().bind(&ua);
    g.bench_function("ours", |b| b.iter(|| ob.add(black_box(1))));
    g.bench_function("upstream", |b| b.iter(|| ub.add(black_box(1))));
    g.finish();
}

/// Time per add with two threads adding to the same series at once.
fn two_threads(iters: u64, add: &(dyn Fn() + Sync)) -> Duration {
    let per_thread = iters.div_ceil(2);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..per_thread {
                    add();
                }
            });
        }
    });
    start.elapsed()
}

fn counter_two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_add_2_threads");
    let (_op, _or, om) = ours::setup();
    let (_up, _ur, um) = up::setup();
    let (oa, ua) = (attrs!(ours, 3), attrs!(up, 3));
    let oc = om.u64_counter("c").build();
    let uc = um.u64_counter("c").build();
    g.bench_function("ours", |b| {
        b.iter_custom(|iters| two_threads(iters, &|| oc.add(1, black_box(&oa))))
    });
    g.bench_function("upstream", |b| {
        b.iter_custom(|iters| two_threads(iters, &|| uc.add(1, black_box(&ua))))
    });
    g.finish();
}

fn collect_1000_series(c: &mut Criterion) {
    use up::MetricReader as _;
    let mut g = c.benchmark_group("collect_1000_series");
    let (_op, oreader, om) = ours::setup();
    let (_up, ureader, um) = up::setup();
    let oc = om.u64_counter("c").build();
    let uc = um.u64_counter("c").build();
    for i in 0..1000i64 {
        oc.add(
            1,
            &[
                ours::KeyValue::new("series", i),
                ours::KeyValue::new("k", "v"),
            ],
        );
        uc.add(
            1,
            &[up::KeyValue::new("series", i), up::KeyValue::new("k", "v")],
        );
    }
    let mut orm = ours::ResourceMetrics::default();
    g.bench_function("ours", |b| {
        b.iter(|| {
            oreader.collect(&mut orm).expect("collect");
            black_box(&orm);
        })
    });
    let mut urm = up::ResourceMetrics::default();
    g.bench_function("upstream", |b| {
        b.iter(|| {
            ureader.collect(&mut urm).expect("collect");
            black_box(&urm);
        })
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = counter_add, histogram_and_gauge, counter_two_threads, collect_1000_series
}
criterion_main!(benches);
