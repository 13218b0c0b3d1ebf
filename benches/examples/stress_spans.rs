//! Stress test: spans per second through the batch span processor, ours against upstream.
//!
//! Feature set: `opentelemetry_api` and `opentelemetry_sdk` (ours) with their default
//! features; upstream `opentelemetry` 0.33 (`features = ["trace"]`) and upstream
//! `opentelemetry_sdk` 0.33 (`default-features = false, features = ["trace"]`). Both batch
//! processors run their worker on a thread of their own.
//!
//! For each thread count, each side gets a fresh provider with the `AlwaysOn` sampler and a
//! batch processor (the same queue size, batch size 512 and scheduled delay 5 s on both sides)
//! feeding a no-op exporter that only counts the spans it is given. N threads then start and
//! end spans named "stress" (no attributes, no parent) on one shared tracer for the given
//! duration. Printed per run: spans/s (spans ended ÷ wall time of the run), spans exported
//! (after a shutdown that exports what is still queued) and spans dropped (ended − exported:
//! spans that found the queue full). The last lines give ours ÷ upstream per thread count.
//!
//! Run it in release mode (the sides run one after the other, never at the same time):
//!
//! ```text
//! cargo run --release -p otel-benches --example stress_spans -- [--duration SECS]
//!     [--threads N,M,..] [--queue SIZE] [--rounds R]
//! ```
//!
//! Defaults: 3 s per run, the number of cores and 1 thread, queue 262 144 (large, so that
//! drops do not distort throughput), one round. With several rounds (the sides alternate) the
//! summary gives each side's median spans/s and the ratio of the medians, which resists a
//! single run disturbed by other processes better than the best or the mean.

// A command-line tool prints its results.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const MAX_EXPORT_BATCH_SIZE: usize = 512;
const SCHEDULED_DELAY: Duration = Duration::from_secs(5);

/// Command-line options.
struct Options {
    duration: Duration,
    threads: Vec<usize>,
    queue: usize,
    rounds: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: stress_spans [--duration SECS] [--threads N,M,..] [--queue SIZE] [--rounds R]"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let mut options = Options {
        duration: Duration::from_secs(3),
        threads: if cores > 1 { vec![cores, 1] } else { vec![1] },
        queue: 262_144,
        rounds: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--duration" => {
                let secs: f64 = value.parse().unwrap_or_else(|_| usage());
                if !(secs > 0.0 && secs.is_finite()) {
                    usage()
                }
                options.duration = Duration::from_secs_f64(secs);
            }
            "--threads" => {
                options.threads = value
                    .split(',')
                    .map(|n| match n.trim().parse::<usize>() {
                        Ok(n) if n > 0 => n,
                        _ => usage(),
                    })
                    .collect();
            }
            "--queue" => match value.parse::<usize>() {
                Ok(n) if n > 0 => options.queue = n,
                _ => usage(),
            },
            "--rounds" => match value.parse::<usize>() {
                Ok(n) if n > 0 => options.rounds = n,
                _ => usage(),
            },
            _ => usage(),
        }
    }
    options
}

/// What one run measured.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    ended: u64,
    exported: u64,
    elapsed: Duration,
}

impl Outcome {
    fn spans_per_sec(&self) -> f64 {
        self.ended as f64 / self.elapsed.as_secs_f64()
    }

    fn dropped(&self) -> u64 {
        self.ended.saturating_sub(self.exported)
    }
}

/// Runs `threads` threads calling `work` in a loop for `duration`; returns the spans ended
/// and the wall time from the start signal until every thread stopped.
fn hammer<F>(threads: usize, duration: Duration, work: F) -> (u64, Duration)
where
    F: Fn() + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(std::sync::Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (work, stop, start) = (work.clone(), stop.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                let mut n = 0_u64;
                while !stop.load(Ordering::Relaxed) {
                    // Check the stop flag once per 64 spans: negligible next to a span.
                    for _ in 0..64 {
                        work();
                    }
                    n += 64;
                }
                n
            })
        })
        .collect();
    start.wait();
    let t0 = Instant::now();
    thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let ended = handles
        .into_iter()
        .map(|h| {
            h.join()
                .unwrap_or_else(|_| panic!("a stress thread panicked"))
        })
        .sum();
    (ended, t0.elapsed())
}

mod ours {
    use super::*;
    use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
    use opentelemetry_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, BoxFuture, Sampler, SdkTracerProvider, SpanData,
        SpanExporter,
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

    pub(crate) fn run(threads: usize, duration: Duration, queue: usize) -> Outcome {
        let exported = Arc::new(AtomicU64::new(0));
        let processor = BatchSpanProcessor::builder(NoopExporter(exported.clone()))
            .with_batch_config(
                BatchConfigBuilder::default()
                    .with_max_queue_size(queue)
                    .with_max_export_batch_size(MAX_EXPORT_BATCH_SIZE)
                    .with_scheduled_delay(SCHEDULED_DELAY)
                    .build(),
            )
            .build();
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::AlwaysOn)
            .with_span_processor(processor)
            .build();
        let tracer = provider.tracer("stress");
        let (ended, elapsed) = hammer(threads, duration, move || {
            let mut span = tracer.start("stress");
            span.end();
        });
        if let Err(err) = provider.shutdown() {
            eprintln!("ours: shutdown failed: {err:?}");
        }
        Outcome {
            ended,
            exported: exported.load(Ordering::Relaxed),
            elapsed,
        }
    }
}

mod up {
    use super::*;
    use upstream::trace::{Span, Tracer, TracerProvider};
    use upstream_sdk::error::OTelSdkResult;
    use upstream_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SpanData, SpanExporter,
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

    pub(crate) fn run(threads: usize, duration: Duration, queue: usize) -> Outcome {
        let exported = Arc::new(AtomicU64::new(0));
        let processor = BatchSpanProcessor::builder(NoopExporter(exported.clone()))
            .with_batch_config(
                BatchConfigBuilder::default()
                    .with_max_queue_size(queue)
                    .with_max_export_batch_size(MAX_EXPORT_BATCH_SIZE)
                    .with_scheduled_delay(SCHEDULED_DELAY)
                    .build(),
            )
            .build();
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::AlwaysOn)
            .with_span_processor(processor)
            .build();
        let tracer = provider.tracer("stress");
        let (ended, elapsed) = hammer(threads, duration, move || {
            let mut span = tracer.start("stress");
            span.end();
        });
        if let Err(err) = provider.shutdown() {
            eprintln!("upstream: shutdown failed: {err:?}");
        }
        Outcome {
            ended,
            exported: exported.load(Ordering::Relaxed),
            elapsed,
        }
    }
}

fn print_outcome(side: &str, threads: usize, round: usize, o: &Outcome) {
    println!(
        "| {side} | {threads} | {round} | {:.0} | {} | {} | {} |",
        o.spans_per_sec(),
        o.ended,
        o.exported,
        o.dropped()
    );
}

fn main() {
    let options = parse_args();
    println!(
        "stress_spans: {:.1} s per run, queue {}, batch {MAX_EXPORT_BATCH_SIZE}, {} round(s), {} core(s)",
        options.duration.as_secs_f64(),
        options.queue,
        options.rounds,
        thread::available_parallelism().map_or(1, |n| n.get()),
    );
    println!();
    println!("| side | threads | round | spans/s | ended | exported | dropped |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut summary = Vec::new();
    for &threads in &options.threads {
        let (mut ours_rates, mut up_rates) = (Vec::new(), Vec::new());
        let (mut ours_dropped, mut up_dropped) = (0_u64, 0_u64);
        for round in 1..=options.rounds {
            let o = ours::run(threads, options.duration, options.queue);
            print_outcome("ours", threads, round, &o);
            ours_rates.push(o.spans_per_sec());
            ours_dropped += o.dropped();
            let u = up::run(threads, options.duration, options.queue);
            print_outcome("upstream", threads, round, &u);
            up_rates.push(u.spans_per_sec());
            up_dropped += u.dropped();
        }
        summary.push((
            threads,
            median(&mut ours_rates),
            median(&mut up_rates),
            ours_dropped,
            up_dropped,
        ));
    }
    println!();
    println!(
        "| threads | ours spans/s (median) | upstream spans/s (median) | ours / upstream | \
         dropped ours / upstream |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for (threads, o, u, od, ud) in summary {
        println!(
            "| {threads} | {o:.0} | {u:.0} | {:.2}x | {od} / {ud} |",
            o / u
        );
    }
}

/// The median of some measurements (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
