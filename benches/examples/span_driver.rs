//! A small, deterministic driver for instruction counting (`valgrind --tool=callgrind`) and
//! profiling (`perf record`): N spans started and ended on one thread through the SDK of one
//! side, then a shutdown (which exports what is still queued).
//!
//! ```text
//! cargo build --release -p otel-benches --example span_driver
//! valgrind --tool=callgrind target/release/examples/span_driver ours batch 100000
//! ```
//!
//! Arguments: side (`ours` or `upstream`), case, and the number of spans. Cases:
//! - `batch`: start by name and end, batch processor (queue 1 048 576 unless a fourth
//!   argument says otherwise, batch 512, delay 5 s,
//!   `AlwaysOn`, a no-op exporter that counts);
//! - `simple`: the same with the simple processor;
//! - `global`: `batch` through `global::tracer(..)`;
//! - `attrs`: eight attributes given to the span builder in a `Vec`, batch processor;
//! - `attrs_array`: the eight attributes of the `sdk_span_8_attrs_builder` benchmark (strings,
//!   integers, a bool, a float) given to the span builder in an array, batch processor;
//! - `off`: `batch` with the `AlwaysOff` sampler;
//! - `selfobs` (ours only): `batch` with the SDK's self-observability metrics recorded into a
//!   meter provider with a manual reader (the cost of turning them on).
//!
//! The per-span cost is the difference between two runs with different counts divided by the
//! difference in counts (this removes set-up and shut-down). Everything the worker thread does
//! is included (callgrind counts every thread).

// A command-line tool prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The default queue size (the fourth argument overrides it).
const QUEUE: usize = 1 << 20;
const BATCH: usize = 512;
const DELAY: Duration = Duration::from_secs(5);

fn usage() -> ! {
    eprintln!(
        "usage: span_driver ours|upstream batch|simple|global|attrs|attrs_array|off|selfobs N \
         [QUEUE]"
    );
    std::process::exit(2)
}

mod ours {
    use super::*;
    use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
    use opentelemetry_api::{global, KeyValue};
    use opentelemetry_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, BoxFuture, Sampler, SdkTracerProvider,
        SimpleSpanProcessor, SpanData, SpanExporter,
    };

    #[derive(Debug)]
    struct NoopExporter(Arc<AtomicU64>);

    impl SpanExporter for NoopExporter {
        fn export<'a>(
            &'a mut self,
            batch: &'a [SpanData],
        ) -> BoxFuture<'a, opentelemetry_sdk::Result> {
            self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
            Box::pin(std::future::ready(Ok(())))
        }
    }

    pub(crate) fn run(case: &str, n: u64, queue: usize) -> u64 {
        let exported = Arc::new(AtomicU64::new(0));
        let exporter = NoopExporter(exported.clone());
        let batch = || {
            BatchSpanProcessor::builder(NoopExporter(exported.clone()))
                .with_batch_config(
                    BatchConfigBuilder::default()
                        .with_max_queue_size(queue)
                        .with_max_export_batch_size(BATCH)
                        .with_scheduled_delay(DELAY)
                        .build(),
                )
                .build()
        };
        let builder = SdkTracerProvider::builder();
        // Kept alive until the end: the self-observability metrics are recorded into it.
        let meters = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(opentelemetry_sdk::metrics::ManualReader::builder().build())
            .build();
        let builder = match case {
            "selfobs" => builder
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(batch())
                .with_self_observability(&meters),
            "simple" => builder
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(SimpleSpanProcessor::new(exporter)),
            "off" => builder
                .with_sampler(Sampler::AlwaysOff)
                .with_span_processor(batch()),
            _ => builder
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(batch()),
        };
        let provider = builder.build();
        let tracer = provider.tracer("driver");
        match case {
            "global" => {
                global::set_tracer_provider(provider.clone());
                let tracer = global::tracer("driver");
                for _ in 0..n {
                    tracer.start("span").end();
                }
            }
            "attrs" => {
                for _ in 0..n {
                    let attributes = vec![
                        KeyValue::new("http.method", "GET"),
                        KeyValue::new("http.route", "/users/:id"),
                        KeyValue::new("http.status_code", 200_i64),
                        KeyValue::new("net.peer.port", 8080_i64),
                        KeyValue::new("retry", false),
                        KeyValue::new("ratio", 0.5),
                        KeyValue::new("user.id", 42_i64),
                        KeyValue::new("region", "eu-west-1"),
                    ];
                    tracer
                        .span_builder("span")
                        .with_attributes(attributes)
                        .start(&tracer)
                        .end();
                }
            }
            "attrs_array" => {
                for _ in 0..n {
                    tracer
                        .span_builder("span")
                        .with_attributes(otel_benches::eight_attributes!())
                        .start(&tracer)
                        .end();
                }
            }
            "batch" | "simple" | "off" | "selfobs" => {
                for _ in 0..n {
                    tracer.start("span").end();
                }
            }
            _ => usage(),
        }
        let _ = provider.shutdown();
        exported.load(Ordering::Relaxed)
    }
}

mod up {
    use super::*;
    use upstream::trace::{Span, Tracer, TracerProvider};
    use upstream::{global, KeyValue};
    use upstream_sdk::error::OTelSdkResult;
    use upstream_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SimpleSpanProcessor,
        SpanData, SpanExporter,
    };

    #[derive(Debug)]
    struct NoopExporter(Arc<AtomicU64>);

    impl SpanExporter for NoopExporter {
        fn export(
            &self,
            batch: Vec<SpanData>,
        ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
            self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
            std::future::ready(Ok(()))
        }
    }

    pub(crate) fn run(case: &str, n: u64, queue: usize) -> u64 {
        let exported = Arc::new(AtomicU64::new(0));
        let exporter = NoopExporter(exported.clone());
        let batch = || {
            BatchSpanProcessor::builder(NoopExporter(exported.clone()))
                .with_batch_config(
                    BatchConfigBuilder::default()
                        .with_max_queue_size(queue)
                        .with_max_export_batch_size(BATCH)
                        .with_scheduled_delay(DELAY)
                        .build(),
                )
                .build()
        };
        let builder = SdkTracerProvider::builder();
        let builder = match case {
            "simple" => builder
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(SimpleSpanProcessor::new(exporter)),
            "off" => builder
                .with_sampler(Sampler::AlwaysOff)
                .with_span_processor(batch()),
            _ => builder
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(batch()),
        };
        let provider = builder.build();
        let tracer = provider.tracer("driver");
        match case {
            "global" => {
                global::set_tracer_provider(provider.clone());
                let tracer = global::tracer("driver");
                for _ in 0..n {
                    tracer.start("span").end();
                }
            }
            "attrs" => {
                for _ in 0..n {
                    let attributes = vec![
                        KeyValue::new("http.method", "GET"),
                        KeyValue::new("http.route", "/users/:id"),
                        KeyValue::new("http.status_code", 200_i64),
                        KeyValue::new("net.peer.port", 8080_i64),
                        KeyValue::new("retry", false),
                        KeyValue::new("ratio", 0.5),
                        KeyValue::new("user.id", 42_i64),
                        KeyValue::new("region", "eu-west-1"),
                    ];
                    tracer
                        .span_builder("span")
                        .with_attributes(attributes)
                        .start(&tracer)
                        .end();
                }
            }
            "attrs_array" => {
                for _ in 0..n {
                    tracer
                        .span_builder("span")
                        .with_attributes(otel_benches::eight_attributes!())
                        .start(&tracer)
                        .end();
                }
            }
            "batch" | "simple" | "off" => {
                for _ in 0..n {
                    tracer.start("span").end();
                }
            }
            _ => usage(),
        }
        let _ = provider.shutdown();
        exported.load(Ordering::Relaxed)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (side, case, n, queue) = match &args[..] {
        [side, case, n] => (side, case, n, QUEUE),
        [side, case, n, queue] => (side, case, n, queue.parse().unwrap_or_else(|_| usage())),
        _ => usage(),
    };
    let n: u64 = n.parse().unwrap_or_else(|_| usage());
    otel_benches::settle_clock();
    let exported = match side.as_str() {
        "ours" => ours::run(case, n, queue),
        "upstream" => up::run(case, n, queue),
        _ => usage(),
    };
    println!("{side} {case}: {n} spans, {exported} exported, queue {queue}");
}
