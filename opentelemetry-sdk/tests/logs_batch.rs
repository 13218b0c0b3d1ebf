//! The batch log processor: the same guarantees as the batch span processor (it shares its
//! machinery), checked through the log processor's interface.

mod logs_common;

use logs_common::{diagnostics, record_diagnostics, wait_until, Behaviour, TestExporter};
use opentelemetry_api::logs::LogRecord as _;
use opentelemetry_api::InstrumentationScope;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, BatchLogProcessor, BatchLogProcessorBuilder, LogProcessor, SdkLogRecord,
};
use opentelemetry_sdk::Error;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);
const LONG: Duration = Duration::from_secs(30);

fn scope() -> &'static Arc<InstrumentationScope> {
    static SCOPE: OnceLock<Arc<InstrumentationScope>> = OnceLock::new();
    SCOPE.get_or_init(|| Arc::new(InstrumentationScope::builder("test").build()))
}

fn emit(p: &impl LogProcessor, id: i64) {
    let mut record = SdkLogRecord::default();
    record.add_attribute("id", id);
    p.emit(&mut record, scope());
}

fn builder(
    exporter: &TestExporter,
    queue: usize,
    batch: usize,
    delay: Duration,
    timeout: Duration,
) -> BatchLogProcessorBuilder {
    BatchLogProcessor::builder(exporter.clone()).with_batch_config(
        BatchConfigBuilder::default()
            .with_max_queue_size(queue)
            .with_max_export_batch_size(batch)
            .with_scheduled_delay(delay)
            .with_max_export_timeout(timeout)
            .build(),
    )
}

fn processor(
    exporter: &TestExporter,
    queue: usize,
    batch: usize,
    delay: Duration,
) -> BatchLogProcessor {
    builder(exporter, queue, batch, delay, LONG).build()
}

#[test]
fn batches_never_exceed_max_size_and_keep_order() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 1000, 7, HOUR);
    for id in 1..=100 {
        emit(&p, id);
    }
    p.force_flush().unwrap();
    let state = exporter.state();
    assert!(state.batches.iter().all(|b| !b.is_empty() && b.len() <= 7));
    let ids: Vec<i64> = state.batches.iter().flatten().copied().collect();
    assert_eq!(ids, (1..=100).collect::<Vec<_>>());
    assert_eq!(state.flushes, 1);
}

#[test]
fn a_full_batch_wakes_the_worker() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 10, HOUR);
    for id in 1..=10 {
        emit(&p, id);
    }
    wait_until(|| exporter.exported().len() == 10);
    assert_eq!(exporter.state().batches, vec![(1..=10).collect::<Vec<_>>()]);
}

#[test]
fn scheduled_delay_triggers_an_export() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 50, Duration::from_millis(20));
    for id in 1..=3 {
        emit(&p, id);
    }
    wait_until(|| exporter.exported().len() == 3);
    assert_eq!(exporter.state().flushes, 0);
}

#[test]
fn a_full_queue_drops_counts_and_reports() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Block]);
    let p = processor(&exporter, 4, 2, HOUR);
    emit(&p, 1);
    emit(&p, 2);
    exporter.wait_calls(1);
    for id in 3..=9 {
        emit(&p, id); // 3..=6 fill the queue, 7..=9 are dropped
    }
    assert_eq!(p.dropped_logs(), 3);
    exporter.release();
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![1, 2, 3, 4, 5, 6]);
    let reports = diagnostics("BatchLogProcessor.LogsDropped");
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with("3 log records dropped because the queue (size 4) was full"),
        "{reports:?}"
    );
}

#[test]
fn concurrent_emits_flushes_and_shutdown_lose_and_duplicate_nothing() {
    const THREADS: i64 = 4;
    const PER_THREAD: i64 = 10_000;
    let exporter = TestExporter::default();
    let p = Arc::new(processor(&exporter, 2048, 512, Duration::from_millis(5)));
    let stop = Arc::new(AtomicBool::new(false));
    let emitted = Arc::new(AtomicU64::new(0));
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (p, emitted) = (p.clone(), emitted.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    emit(&*p, t * PER_THREAD + i + 1);
                    emitted.fetch_add(1, Ordering::Relaxed);
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
    wait_until(|| emitted.load(Ordering::Relaxed) >= (THREADS * PER_THREAD / 2) as u64);
    p.shutdown_with_timeout(LONG).unwrap();
    for t in producers {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    flusher.join().unwrap();

    let exported = exporter.exported();
    let unique: HashSet<i64> = exported.iter().copied().collect();
    assert_eq!(unique.len(), exported.len(), "a record was exported twice");
    assert_eq!(
        exported.len() as u64 + p.dropped_logs(),
        (THREADS * PER_THREAD) as u64
    );
    assert!(exporter.state().batches.iter().all(|b| b.len() <= 512));
    assert_eq!(exporter.state().shutdowns, 1);
}

#[test]
fn a_hanging_exporter_makes_shutdown_time_out() {
    let exporter = TestExporter::scripted([Behaviour::Block]);
    let p = processor(&exporter, 100, 10, HOUR);
    emit(&p, 1);
    let start = Instant::now();
    let result = p.shutdown_with_timeout(Duration::from_millis(200));
    assert_eq!(result, Err(Error::Timeout(Duration::from_millis(200))));
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(p.shutdown(), Err(Error::AlreadyShutdown));
    exporter.release();
    wait_until(|| exporter.state().shutdowns == 1);
    assert_eq!(exporter.exported(), vec![1]);
}

#[test]
fn a_never_completing_export_is_cancelled_after_the_export_timeout() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Pending]);
    let p = builder(&exporter, 100, 10, HOUR, Duration::from_millis(100)).build();
    emit(&p, 1);
    assert_eq!(
        p.force_flush_with_timeout(LONG),
        Err(Error::Timeout(Duration::from_millis(100)))
    );
    assert_eq!(diagnostics("BatchLogProcessor.ExportTimeout").len(), 1);
    emit(&p, 2);
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![2]);
    p.shutdown().unwrap();
}

#[test]
fn failing_and_panicking_exporters_are_reported_and_the_processor_keeps_working() {
    record_diagnostics();
    let exporter = TestExporter::scripted([Behaviour::Fail("backend down"), Behaviour::Panic]);
    let p = processor(&exporter, 100, 10, HOUR);
    emit(&p, 1);
    assert_eq!(
        p.force_flush(),
        Err(Error::ExportFailed("backend down".into()))
    );
    emit(&p, 2);
    let err = p.force_flush().unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
    let reports = diagnostics("BatchLogProcessor.ExportFailed");
    assert!(
        reports.iter().any(|m| m.contains("backend down")),
        "{reports:?}"
    );
    assert!(
        reports.iter().any(|m| m.contains("panicked")),
        "{reports:?}"
    );
    emit(&p, 3);
    p.force_flush().unwrap();
    assert_eq!(exporter.exported(), vec![3]);
    p.shutdown().unwrap();
}

#[test]
fn shutdown_exports_everything_once_and_later_records_are_dropped() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 2048, 512, HOUR);
    for id in 1..=1500 {
        emit(&p, id);
    }
    p.shutdown().unwrap();
    assert_eq!(exporter.exported(), (1..=1500).collect::<Vec<_>>());
    assert_eq!(exporter.state().shutdowns, 1);
    assert_eq!(p.shutdown(), Err(Error::AlreadyShutdown));
    assert_eq!(p.force_flush(), Err(Error::AlreadyShutdown));
    emit(&p, 9999);
    assert_eq!(p.dropped_logs(), 1);
    assert_eq!(exporter.exported().len(), 1500);
}

#[test]
fn dropping_the_processor_shuts_it_down() {
    let exporter = TestExporter::default();
    let p = processor(&exporter, 100, 50, HOUR);
    emit(&p, 1);
    drop(p);
    assert_eq!(exporter.exported(), vec![1]);
    assert_eq!(exporter.state().shutdowns, 1);
}

#[test]
fn the_worker_thread_is_named_for_logs() {
    #[derive(Debug, Default)]
    struct ThreadName(Arc<std::sync::Mutex<Option<String>>>);
    impl opentelemetry_sdk::logs::LogExporter for ThreadName {
        fn export<'a>(
            &'a mut self,
            _batch: &'a [opentelemetry_sdk::logs::LogData],
        ) -> opentelemetry_sdk::trace::BoxFuture<'a, opentelemetry_sdk::Result> {
            *self.0.lock().unwrap() = std::thread::current().name().map(str::to_owned);
            Box::pin(std::future::ready(Ok(())))
        }
    }
    let name = Arc::new(std::sync::Mutex::new(None));
    let p = BatchLogProcessor::builder(ThreadName(name.clone())).build();
    emit(&p, 1);
    p.force_flush().unwrap();
    assert_eq!(
        name.lock().unwrap().as_deref(),
        Some("otel-batch-log-processor")
    );
}

#[cfg(feature = "rt-tokio")]
#[test]
fn runs_on_a_tokio_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let exporter = TestExporter::scripted([Behaviour::Succeed, Behaviour::Pending]);
    let p = builder(
        &exporter,
        100,
        5,
        Duration::from_millis(20),
        Duration::from_millis(100),
    )
    .with_runtime(opentelemetry_sdk::runtime::TokioHandle(rt.handle().clone()))
    .build();
    for id in 1..=5 {
        emit(&p, id);
    }
    wait_until(|| exporter.exported().len() == 5);
    emit(&p, 6); // hangs, cancelled by the tokio timer
    wait_until(|| exporter.state().calls == 2);
    emit(&p, 7);
    p.force_flush_with_timeout(LONG).unwrap();
    p.shutdown().unwrap();
    assert_eq!(exporter.exported(), vec![1, 2, 3, 4, 5, 7]);
}
