//! A small driver for instruction-count profiling of the metrics measurement path:
//! `Counter<u64>::add` (or another measurement) N times on one existing series, ours or
//! upstream `opentelemetry_sdk` 0.33, with one cumulative manual reader and no views.
//!
//! Meant for `valgrind --tool=callgrind` (exact instruction counts, independent of machine
//! load) or `perf record`:
//!
//! ```text
//! cargo build --release -p otel-benches --example metrics_adds
//! valgrind --tool=callgrind target/release/examples/metrics_adds ours counter 3 sorted 100000
//! ```
//!
//! Arguments: `ours|upstream`, `counter|histogram|gauge|bound|exponential|collect`, the
//! number of attributes (0 to 10), `sorted|unsorted`, the number of measurements (for
//! `collect`, of collections of a counter with 1000 series). `exponential` records into a
//! base-2 exponential histogram (160 buckets, max scale 20) cycling through 64 values spread
//! over 1e-3..1e3, as `benches/benches/metrics_sdk.rs` does. Subtract a run with a small N
//! from one with a large N to get the instructions per measurement without the set-up.

// A command-line tool prints its usage.
#![allow(clippy::print_stderr)]

use std::hint::black_box;

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

/// 64 values from 1e-3 to 1e3, evenly spread on a log scale.
fn exponential_values() -> Vec<f64> {
    (0..64)
        .map(|i| 10f64.powf(-3.0 + 6.0 * i as f64 / 63.0))
        .collect()
}

fn ours(kind: &str, n: usize, sorted: bool, iters: u64) {
    use opentelemetry_api::metrics::MeterProvider;
    use opentelemetry_api::KeyValue;
    use opentelemetry_sdk::metrics::{
        Aggregation, InstrumentSelector, ManualReader, SdkMeterProvider, Stream, View,
    };
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view(View::new(
            InstrumentSelector::new().with_name("e"),
            Stream::new().with_aggregation(Aggregation::default_exponential_histogram()),
        ))
        .build();
    let meter = provider.meter("driver");
    let mut attrs: Vec<KeyValue> = (0..n).map(|i| KeyValue::new(KEYS[i], VALUES[i])).collect();
    if !sorted {
        attrs.reverse();
    }
    match kind {
        "counter" => {
            let c = meter.u64_counter("c").build();
            for _ in 0..iters {
                c.add(black_box(1), black_box(&attrs));
            }
        }
        "histogram" => {
            let h = meter.f64_histogram("h").build();
            for _ in 0..iters {
                h.record(black_box(42.5), black_box(&attrs));
            }
        }
        "gauge" => {
            let g = meter.f64_gauge("g").build();
            for _ in 0..iters {
                g.record(black_box(1.5), black_box(&attrs));
            }
        }
        "bound" => {
            let b = meter.u64_counter("b").build().bind(&attrs);
            for _ in 0..iters {
                b.add(black_box(1));
            }
        }
        "exponential" => {
            let e = meter.f64_histogram("e").build();
            let values = exponential_values();
            for v in &values {
                e.record(*v, &attrs);
            }
            for i in 0..iters {
                e.record(black_box(values[i as usize & 63]), black_box(&attrs));
            }
        }
        "collect" => {
            let c = meter.u64_counter("c").build();
            for i in 0..1000i64 {
                c.add(1, &[KeyValue::new("series", i), KeyValue::new("k", "v")]);
            }
            let mut rm = opentelemetry_sdk::metrics::ResourceMetrics::default();
            for _ in 0..iters {
                reader.collect(&mut rm).expect("collect");
                black_box(&rm);
            }
        }
        _ => usage(),
    }
}

fn upstream(kind: &str, n: usize, sorted: bool, iters: u64) {
    use upstream::metrics::MeterProvider;
    use upstream::KeyValue;
    use upstream_sdk::metrics::reader::MetricReader;
    use upstream_sdk::metrics::{Aggregation, Instrument, ManualReader, SdkMeterProvider, Stream};
    let reader = Shared(std::sync::Arc::new(ManualReader::builder().build()));
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_view(|i: &Instrument| {
            (i.name() == "e").then(|| {
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
    let meter = provider.meter("driver");
    let mut attrs: Vec<KeyValue> = (0..n).map(|i| KeyValue::new(KEYS[i], VALUES[i])).collect();
    if !sorted {
        attrs.reverse();
    }
    match kind {
        "counter" => {
            let c = meter.u64_counter("c").build();
            for _ in 0..iters {
                c.add(black_box(1), black_box(&attrs));
            }
        }
        "histogram" => {
            let h = meter.f64_histogram("h").build();
            for _ in 0..iters {
                h.record(black_box(42.5), black_box(&attrs));
            }
        }
        "gauge" => {
            let g = meter.f64_gauge("g").build();
            for _ in 0..iters {
                g.record(black_box(1.5), black_box(&attrs));
            }
        }
        "bound" => {
            let b = meter.u64_counter("b").build().bind(&attrs);
            for _ in 0..iters {
                b.add(black_box(1));
            }
        }
        "exponential" => {
            let e = meter.f64_histogram("e").build();
            let values = exponential_values();
            for v in &values {
                e.record(*v, &attrs);
            }
            for i in 0..iters {
                e.record(black_box(values[i as usize & 63]), black_box(&attrs));
            }
        }
        "collect" => {
            let c = meter.u64_counter("c").build();
            for i in 0..1000i64 {
                c.add(1, &[KeyValue::new("series", i), KeyValue::new("k", "v")]);
            }
            let mut rm = upstream_sdk::metrics::data::ResourceMetrics::default();
            for _ in 0..iters {
                reader.collect(&mut rm).expect("collect");
                black_box(&rm);
            }
        }
        _ => usage(),
    }
}

/// Upstream's manual reader is not `Clone`: share it with the provider.
#[derive(Clone, Debug)]
struct Shared(std::sync::Arc<upstream_sdk::metrics::ManualReader>);

impl upstream_sdk::metrics::reader::MetricReader for Shared {
    fn register_pipeline(&self, pipeline: std::sync::Weak<upstream_sdk::metrics::Pipeline>) {
        self.0.register_pipeline(pipeline)
    }
    fn collect(
        &self,
        rm: &mut upstream_sdk::metrics::data::ResourceMetrics,
    ) -> upstream_sdk::error::OTelSdkResult {
        self.0.collect(rm)
    }
    fn force_flush(&self) -> upstream_sdk::error::OTelSdkResult {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> upstream_sdk::error::OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn temporality(
        &self,
        kind: upstream_sdk::metrics::InstrumentKind,
    ) -> upstream_sdk::metrics::Temporality {
        self.0.temporality(kind)
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: metrics_adds ours|upstream counter|histogram|gauge|bound|exponential|collect N sorted|unsorted ITERS"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 5 {
        usage();
    }
    let n: usize = args[2].parse().unwrap_or_else(|_| usage());
    let iters: u64 = args[4].parse().unwrap_or_else(|_| usage());
    if n > KEYS.len() {
        usage();
    }
    let sorted = match args[3].as_str() {
        "sorted" => true,
        "unsorted" => false,
        _ => usage(),
    };
    match args[0].as_str() {
        "ours" => ours(&args[1], n, sorted, iters),
        "upstream" => upstream(&args[1], n, sorted, iters),
        _ => usage(),
    }
}
