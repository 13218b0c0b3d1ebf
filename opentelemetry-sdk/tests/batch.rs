//! The batch span processor on its default worker thread. Diagnostics are process-global;
//! each test filters them by name (nextest also runs each test in its own process).

mod common;

use common::{config, diagnostics, record_diagnostics, span, wait_until, Behaviour, TestExporter};
use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, InMemorySpanExporter, SdkTracerProvider, SpanProcessor,
};
use opentelemetry_sdk::Error;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);
const LONG: Duration = Duration::from_secs(30);

fn processor(
    exporter: &TestExporter,
    queue: usize,
    batch: usize,
    delay: Duration,
) -> BatchSpanProcessor {
    BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(queue, batch, delay, LONG))
        .build()
}

#[test]
fn batches_never_exceed_max_size() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 1000, 7, HOUR);
    for id in 1..=100 {
        p.on_end(span(id, true));
    }
    p.force_flush().unwrap();
    let state = exporter.state();
    assert!(
        state.batches.iter().all(|b| !b.is_empty() && b.len() <= 7),
        "{:?}",
        state.batches
    );
    let ids: Vec<u64> = state.batches.iter().flatten().copied().collect();
    assert_eq!(ids, (1..=100).collect::<Vec<_>>());
    assert_eq!(state.flushes, 1);
}

#[test]
fn a_full_batch_wakes_the_worker() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 10, HOUR);
    for id in 1..=10 {
        p.on_end(span(id, true));
    }
    // Neither the (hour-long) scheduled delay nor a flush: only the batch threshold.
    wait_until(|| exporter.exported().len() == 10);
    assert_eq!(exporter.state().batches, vec![(1..=10).collect::<Vec<_>>()]);
}

#[test]
fn scheduled_delay_triggers_an_export() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 50, Duration::from_millis(20));
    for id in 1..=3 {
        p.on_end(span(id, true));
    }
    wait_until(|| exporter.exported().len() == 3);
    assert_eq!(exporter.state().flushes, 0);
    drop(p);
}

#[test]
fn only_sampled_spans_are_queued() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 10, HOUR);
    p.on_end(span(1, false));
    p.on_end(span(2, true));
    p.on_end(span(3, false));
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![2]);
    assert_eq!(p.dropped_spans(), 0);
}

/// The drop reports of the test that uses a queue of 4.
fn dropped_reports() -> Vec<String> {
    diagnostics("BatchSpanProcessor.SpansDropped")
        .into_iter()
        .filter(|m| m.contains("queue (size 4)"))
        .collect()
}

#[test]
fn a_full_queue_drops_counts_and_reports_once_per_interval() {
    record_diagnostics();
    let exporter = TestExporter::scripted([
        Behaviour::Block,
        Behaviour::Succeed,
        Behaviour::Succeed,
        Behaviour::Block,
    ]);
    let p = processor(&exporter, 4, 2, HOUR);
    // The first batch is taken by the worker, whose export blocks.
    p.on_end(span(1, true));
    p.on_end(span(2, true));
    exporter.wait_calls(1);
    for id in 3..=9 {
        p.on_end(span(id, true)); // 3..=6 fill the queue, 7..=9 are dropped
    }
    assert_eq!(p.dropped_spans(), 3);
    exporter.release();
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![1, 2, 3, 4, 5, 6]);
    let reports = dropped_reports();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].starts_with("3 spans dropped"), "{reports:?}");

    // The same again within the same (hour-long) interval: counted, not reported...
    p.on_end(span(10, true));
    p.on_end(span(11, true));
    exporter.wait_calls(4);
    for id in 12..=20 {
        p.on_end(span(id, true)); // 12..=15 fill the queue, 16..=20 are dropped
    }
    assert_eq!(p.dropped_spans(), 8);
    exporter.release();
    p.force_flush().unwrap();
    assert_eq!(exporter.exported().len(), 12);
    assert_eq!(dropped_reports().len(), 1);
    // ...until shutdown reports what is left.
    p.shutdown().unwrap();
    let reports = dropped_reports();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports[1].starts_with("5 spans dropped"), "{reports:?}");
    assert!(reports[1].contains("(8 in total)"), "{reports:?}");
}

#[test]
fn concurrent_ends_flushes_and_shutdown_lose_and_duplicate_nothing() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 10_000;
    let exporter = TestExporter::default();
    let p = Arc::new(processor(&exporter, 2048, 512, Duration::from_millis(5)));
    let stop = Arc::new(AtomicBool::new(false));
    let ended = Arc::new(AtomicU64::new(0));
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (p, ended) = (p.clone(), ended.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    p.on_end(span(t * PER_THREAD + i + 1, true));
                    ended.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let flusher = {
        let (p, stop) = (p.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match p.force_flush() {
                    Ok(()) | Err(Error::AlreadyShutdown) => {}
                    Err(e) => panic!("flush failed: {e}"),
                }
            }
        })
    };
    // Shut down half-way through (or at the latest once everything ended).
    wait_until(|| ended.load(Ordering::Relaxed) >= THREADS * PER_THREAD / 2);
    p.shutdown_with_timeout(LONG).unwrap();
    for t in producers {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    flusher.join().unwrap();

    let exported = exporter.exported();
    let unique: HashSet<u64> = exported.iter().copied().collect();
    assert_eq!(unique.len(), exported.len(), "a span was exported twice");
    assert_eq!(
        exported.len() as u64 + p.dropped_spans(),
        THREADS * PER_THREAD
    );
    assert!(exporter.state().batches.iter().all(|b| b.len() <= 512));
    assert_eq!(exporter.state().shutdowns, 1);
}

#[test]
fn a_hanging_exporter_makes_shutdown_time_out() {
    let exporter = TestExporter::scripted([Behaviour::Block]);
    let p = processor(&exporter, 100, 10, HOUR);
    p.on_end(span(1, true));
    let start = Instant::now();
    let result = p.shutdown_with_timeout(Duration::from_millis(200));
    assert_eq!(result, Err(Error::Timeout(Duration::from_millis(200))));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(p.shutdown(), Err(Error::AlreadyShutdown));
    // Let the worker finish so the process exits cleanly.
    exporter.release();
    wait_until(|| exporter.state().shutdowns == 1);
    assert_eq!(exporter.exported(), vec![1]);
}

#[test]
fn a_never_completing_export_is_cancelled_after_the_export_timeout() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Pending]);
    let p = BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(100, 10, HOUR, Duration::from_millis(100)))
        .build();
    p.on_end(span(1, true));
    let start = Instant::now();
    assert_eq!(
        p.force_flush_with_timeout(LONG),
        Err(Error::Timeout(Duration::from_millis(100)))
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(diagnostics("BatchSpanProcessor.ExportTimeout").len(), 1);
    // The worker goes on.
    p.on_end(span(2, true));
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![2]);
    p.shutdown().unwrap();
}

#[test]
fn a_panicking_exporter_is_reported_and_the_processor_keeps_working() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Panic]);
    let p = processor(&exporter, 100, 10, HOUR);
    p.on_end(span(1, true));
    let err = p.force_flush().unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
    // (Filtered by content: other tests of this file may share the process under `cargo test`.)
    let reports: Vec<_> = diagnostics("BatchSpanProcessor.ExportFailed")
        .into_iter()
        .filter(|m| m.contains("panicked"))
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    p.on_end(span(2, true));
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![2]);
    p.shutdown().unwrap();
}

#[test]
fn a_failing_exporter_is_reported_and_the_processor_keeps_working() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Fail("backend unavailable")]);
    let p = processor(&exporter, 100, 10, HOUR);
    p.on_end(span(1, true));
    assert_eq!(
        p.force_flush(),
        Err(Error::ExportFailed("backend unavailable".into()))
    );
    let reports = diagnostics("BatchSpanProcessor.ExportFailed");
    assert!(
        reports.iter().any(|m| m.contains("backend unavailable")),
        "{reports:?}"
    );
    p.on_end(span(2, true));
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![2]);

    // A failing exporter flush is returned too.
    exporter.state().flush_error = Some("flush broke");
    assert_eq!(
        p.force_flush(),
        Err(Error::InternalFailure("flush broke".into()))
    );
    assert!(!diagnostics("BatchSpanProcessor.ExporterFailed").is_empty());
    p.shutdown().unwrap();
}

#[test]
fn shutdown_exports_everything_once_and_later_spans_are_dropped() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 2048, 512, HOUR);
    for id in 1..=1500 {
        p.on_end(span(id, true));
    }
    p.shutdown().unwrap();
    assert_eq!(exporter.exported(), (1..=1500).collect::<Vec<_>>());
    assert!(exporter.state().batches.iter().all(|b| b.len() <= 512));
    assert_eq!(exporter.state().shutdowns, 1);

    assert_eq!(p.shutdown(), Err(Error::AlreadyShutdown));
    assert_eq!(p.force_flush(), Err(Error::AlreadyShutdown));
    p.on_end(span(9999, true));
    assert_eq!(p.dropped_spans(), 1);
    assert_eq!(exporter.exported().len(), 1500);
    assert_eq!(exporter.state().shutdowns, 1);
}

#[test]
fn dropping_the_processor_shuts_it_down() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 50, HOUR);
    p.on_end(span(1, true));
    drop(p);
    assert_eq!(exporter.exported(), vec![1]);
    assert_eq!(exporter.state().shutdowns, 1);
}

#[test]
fn provider_with_batch_exporter() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("batch-test");
    tracer.in_span("parent", |_cx| {
        tracer.start("child").end();
    });
    provider.force_flush().unwrap();
    let spans = exporter.get_finished_spans();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].name, "child");
    assert!(
        exporter.resource().is_some(),
        "the exporter received the resource"
    );
    provider.shutdown().unwrap();
    assert!(exporter.is_shutdown());
}

/// The attributes a span with `i` was started with: how many, and what kinds of storage,
/// vary with `i` (some repeat a key, some are too many for the limit, some exceed the
/// largest buffer that is recycled).
fn builder_attributes(i: usize) -> Vec<opentelemetry_api::KeyValue> {
    use opentelemetry_api::{Key, KeyValue, StringValue};
    let count = [0, 1, 3, 8, 8, 12, 40][i % 7];
    let mut attributes: Vec<KeyValue> = (0..count)
        .map(|k| match k % 4 {
            0 => KeyValue::new(
                format!("owned.{k}"),
                format!("span {i} value {k} long enough"),
            ),
            1 => KeyValue::new(
                Key::copied(&format!("inline.{k}")),
                StringValue::copied("v"),
            ),
            2 => KeyValue::new(format!("number.{k}"), (i * 100 + k) as i64),
            _ => KeyValue::new(
                format!("shared.{k}"),
                std::sync::Arc::<str>::from(format!("{i}")),
            ),
        })
        .collect();
    if i % 5 == 0 && count > 2 {
        // A repeated key: the last value wins.
        attributes.push(KeyValue::new("owned.0", "last"));
    }
    attributes
}

#[test]
fn builder_attributes_come_out_whole_while_their_buffers_are_recycled() {
    use opentelemetry_api::KeyValue;
    use opentelemetry_sdk::trace::{BatchConfigBuilder, SpanLimits};
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_span_limits(SpanLimits {
            max_attributes_per_span: 30,
            ..SpanLimits::default()
        })
        .with_span_processor(
            BatchSpanProcessor::builder(exporter.clone())
                .with_batch_config(
                    BatchConfigBuilder::default()
                        .with_max_queue_size(4096)
                        .with_max_export_batch_size(64)
                        .with_scheduled_delay(HOUR)
                        .build(),
                )
                .build(),
        )
        .build();
    let tracer = provider.tracer("recycling");
    // Several rounds: after the first, spans take buffers the worker emptied.
    let rounds = 4;
    let per_round = 700;
    for round in 0..rounds {
        for i in round * per_round..(round + 1) * per_round {
            tracer
                .span_builder(format!("span {i}"))
                .with_attributes(builder_attributes(i))
                .start(&tracer)
                .end();
        }
        provider.force_flush().unwrap();
    }
    let spans = exporter.get_finished_spans();
    assert_eq!(spans.len(), rounds * per_round);
    for span in &spans {
        let i: usize = span.name.strip_prefix("span ").unwrap().parse().unwrap();
        let mut expected: Vec<KeyValue> = Vec::new();
        for kv in builder_attributes(i) {
            match expected.iter_mut().find(|e| e.key == kv.key) {
                Some(e) => e.value = kv.value,
                None => expected.push(kv),
            }
        }
        let dropped = expected.len().saturating_sub(30);
        expected.truncate(30);
        assert_eq!(span.attributes, expected, "span {i}");
        assert_eq!(span.dropped_attributes_count as usize, dropped, "span {i}");
    }
    provider.shutdown().unwrap();
}
