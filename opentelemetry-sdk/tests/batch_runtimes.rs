//! The batch processor's worker on each async runtime (each under its feature).
#![cfg(any(
    feature = "rt-tokio",
    feature = "rt-tokio-current-thread",
    feature = "rt-async-std"
))]

mod common;

use common::{config, span, wait_until, Behaviour, TestExporter};
#[allow(unused_imports)]
use opentelemetry_sdk::runtime;
use opentelemetry_sdk::trace::{BatchSpanProcessor, BatchSpanProcessorBuilder, SpanProcessor};
use opentelemetry_sdk::Error;
use std::time::Duration;

const FLUSH: Duration = Duration::from_secs(10);

/// Export on a full batch, on the scheduled delay, on flush and on shutdown; an export that
/// never completes is cancelled by the runtime's timer.
fn exercise(build: impl FnOnce(BatchSpanProcessorBuilder) -> BatchSpanProcessor) {
    let exporter =
        TestExporter::scripted([Behaviour::Succeed, Behaviour::Succeed, Behaviour::Pending]);
    let p = build(
        BatchSpanProcessor::builder(exporter.clone()).with_batch_config(config(
            100,
            5,
            Duration::from_millis(20),
            Duration::from_millis(100),
        )),
    );
    // A full batch.
    for id in 1..=5 {
        p.on_end(span(id, true));
    }
    wait_until(|| exporter.exported().len() == 5);
    // The scheduled delay.
    p.on_end(span(6, true));
    wait_until(|| exporter.exported().len() == 6);
    // A hanging export times out.
    p.on_end(span(7, true));
    wait_until(|| exporter.state().calls == 3);
    // Flushes, answered once the hanging export was cancelled (its error goes to the
    // diagnostics: it was not part of a flush).
    p.on_end(span(8, true));
    p.force_flush_with_timeout(FLUSH).unwrap();
    p.on_end(span(9, true));
    p.force_flush_with_timeout(FLUSH).unwrap();
    p.on_end(span(10, true));
    p.shutdown().unwrap();
    let exported = exporter.exported();
    assert_eq!(exported[..6], [1, 2, 3, 4, 5, 6]);
    assert!(!exported.contains(&7));
    assert_eq!(exported[6..], [8, 9, 10]);
    assert_eq!(exporter.state().flushes, 2);
    assert_eq!(exporter.state().shutdowns, 1);
    assert_eq!(p.shutdown(), Err(Error::AlreadyShutdown));
}

#[cfg(feature = "rt-tokio")]
#[test]
fn tokio_current_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The runtime is current while the processor is built; the blocking calls come from
    // this plain thread.
    let _guard = rt.enter();
    exercise(|b| b.with_runtime(runtime::Tokio).build());
}

#[cfg(feature = "rt-tokio")]
#[test]
fn tokio_handle() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    exercise(|b| b.with_runtime(runtime::TokioHandle(handle)).build());
}

#[cfg(feature = "rt-tokio")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_from_async_code() {
    let exporter = TestExporter::default();
    let p = BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(
            100,
            10,
            Duration::from_secs(3600),
            Duration::from_secs(5),
        ))
        .with_runtime(runtime::Tokio)
        .build();
    p.on_end(span(1, true));
    // Blocking calls go to a blocking thread so the runtime's workers stay free.
    let p = tokio::task::spawn_blocking(move || {
        p.force_flush().unwrap();
        p
    })
    .await
    .unwrap();
    assert_eq!(exporter.exported(), vec![1]);
    tokio::task::spawn_blocking(move || p.shutdown().unwrap())
        .await
        .unwrap();
    assert_eq!(exporter.state().shutdowns, 1);
}

#[cfg(feature = "rt-tokio")]
#[test]
fn tokio_without_a_runtime_falls_back_to_a_thread() {
    exercise(|b| b.with_runtime(runtime::Tokio).build());
}

#[cfg(feature = "rt-tokio-current-thread")]
#[test]
fn tokio_current_thread() {
    exercise(|b| b.with_runtime(runtime::TokioCurrentThread).build());
}

#[cfg(feature = "rt-async-std")]
#[test]
fn async_std() {
    exercise(|b| b.with_runtime(runtime::AsyncStd).build());
}

#[test]
fn dedicated_thread() {
    exercise(|b| b.with_runtime(runtime::Thread).build());
}

#[cfg(feature = "rt-tokio")]
#[test]
fn tokio_runtime_shut_down_before_the_processor() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let exporter = TestExporter::default();
    let p = BatchSpanProcessor::builder(exporter.clone())
        .with_batch_config(config(
            100,
            10,
            Duration::from_secs(3600),
            Duration::from_secs(5),
        ))
        .with_runtime(runtime::TokioHandle(rt.handle().clone()))
        .build();
    p.on_end(span(1, true));
    p.force_flush_with_timeout(FLUSH).unwrap();
    drop(rt); // drops the worker task
    let start = std::time::Instant::now();
    assert!(matches!(
        p.force_flush_with_timeout(FLUSH),
        Err(Error::InternalFailure(_))
    ));
    assert!(matches!(
        p.shutdown_with_timeout(FLUSH),
        Err(Error::InternalFailure(_))
    ));
    assert!(
        start.elapsed() < FLUSH,
        "answered at once, not after the timeout"
    );
    assert_eq!(exporter.exported(), vec![1]);
}
