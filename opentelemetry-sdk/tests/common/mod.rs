//! Helpers shared by the batch processor tests: a scriptable exporter, span data, a
//! diagnostics recorder.
#![allow(dead_code)]

use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::InstrumentationScope;
use opentelemetry_sdk::trace::{
    BatchConfig, BatchConfigBuilder, BoxFuture, SpanData, SpanEvents, SpanExporter, SpanLinks,
};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// A sampled (or not) span whose span ID is `id`.
pub fn span(id: u64, sampled: bool) -> SpanData {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(1u128),
            SpanId::from(id),
            flags,
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: "test".into(),
        start_time: SystemTime::UNIX_EPOCH,
        end_time: SystemTime::UNIX_EPOCH,
        attributes: Vec::new(),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: Box::leak(Box::new(InstrumentationScope::builder("test").build())),
    }
}

/// A config that does not depend on the environment.
pub fn config(queue: usize, batch: usize, delay: Duration, timeout: Duration) -> BatchConfig {
    BatchConfigBuilder::default()
        .with_max_queue_size(queue)
        .with_max_export_batch_size(batch)
        .with_scheduled_delay(delay)
        .with_max_export_timeout(timeout)
        .build()
}

/// What the exporter does on one `export` call.
#[derive(Debug)]
pub enum Behaviour {
    /// Succeeds (the default once the script is used up).
    Succeed,
    /// Fails with this message.
    Fail(&'static str),
    /// Panics.
    Panic,
    /// Returns a future that never completes.
    Pending,
    /// Blocks the calling thread until [`TestExporter::release`] gives it a permit.
    Block,
}

#[derive(Debug, Default)]
pub struct State {
    /// The span IDs of each successful batch.
    pub batches: Vec<Vec<u64>>,
    /// Behaviours for the next export calls (then success).
    pub script: VecDeque<Behaviour>,
    /// `export` calls so far.
    pub calls: usize,
    pub flushes: usize,
    pub shutdowns: usize,
    /// Error returned by `force_flush`.
    pub flush_error: Option<&'static str>,
    /// Permits for `Block` exports.
    pub permits: usize,
}

/// An exporter whose behaviour a test scripts; clones share state.
#[derive(Clone, Debug, Default)]
pub struct TestExporter {
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl TestExporter {
    pub fn scripted(script: impl IntoIterator<Item = Behaviour>) -> Self {
        let exporter = TestExporter::default();
        exporter.state().script.extend(script);
        exporter
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// All exported span IDs, in order.
    pub fn exported(&self) -> Vec<u64> {
        self.state().batches.iter().flatten().copied().collect()
    }

    /// Lets one blocked (or future) `Block` export complete.
    pub fn release(&self) {
        self.state().permits += 1;
        self.shared.1.notify_all();
    }

    /// Records a successful export.
    fn record(&self, batch: &[SpanData]) -> BoxFuture<'static, opentelemetry_sdk::Result> {
        let ids = batch
            .iter()
            .map(|s| u64::from_be_bytes(s.span_context.span_id().to_bytes()))
            .collect();
        self.state().batches.push(ids);
        Box::pin(std::future::ready(Ok(())))
    }

    /// Waits until `export` was called `n` times.
    pub fn wait_calls(&self, n: usize) {
        wait_until(|| self.state().calls >= n);
    }
}

impl SpanExporter for TestExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let behaviour = {
            let mut state = self.state();
            state.calls += 1;
            state.script.pop_front()
        };
        match behaviour {
            None | Some(Behaviour::Succeed) => self.record(batch),
            Some(Behaviour::Fail(msg)) => Box::pin(std::future::ready(Err(
                opentelemetry_sdk::Error::ExportFailed(msg.into()),
            ))),
            Some(Behaviour::Panic) => panic!("test exporter panics"),
            Some(Behaviour::Pending) => Box::pin(std::future::pending()),
            Some(Behaviour::Block) => {
                let (lock, cvar) = &*self.shared;
                let mut state = lock.lock().unwrap_or_else(|p| p.into_inner());
                while state.permits == 0 {
                    state = cvar.wait(state).unwrap_or_else(|p| p.into_inner());
                }
                state.permits -= 1;
                drop(state);
                self.record(batch)
            }
        }
    }

    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        let mut state = self.state();
        state.flushes += 1;
        match state.flush_error {
            Some(msg) => Err(opentelemetry_sdk::Error::InternalFailure(msg.into())),
            None => Ok(()),
        }
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        self.state().shutdowns += 1;
        Ok(())
    }
}

/// Polls `cond` until it holds; panics after 10 s.
pub fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "condition not reached within 10 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Recorded diagnostics: (name, message).
type Recorded = Arc<Mutex<Vec<(&'static str, String)>>>;

static DIAGNOSTICS: OnceLock<Recorded> = OnceLock::new();

/// Installs (once) a handler recording every diagnostic at debug level and above.
pub fn record_diagnostics() {
    DIAGNOSTICS.get_or_init(|| {
        let store = Arc::new(Mutex::new(Vec::new()));
        let sink = store.clone();
        global::set_diagnostic_handler(DiagnosticLevel::Debug, move |d| {
            sink.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((d.name, d.message.to_string()));
        });
        store
    });
}

/// The messages of the recorded diagnostics named `name`.
pub fn diagnostics(name: &str) -> Vec<String> {
    record_diagnostics();
    DIAGNOSTICS
        .get()
        .map(|d| {
            d.lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, m)| m.clone())
                .collect()
        })
        .unwrap_or_default()
}
