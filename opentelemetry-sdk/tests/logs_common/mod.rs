//! Helpers shared by the logs SDK tests: a scriptable log exporter, records, a diagnostics
//! recorder.
#![allow(dead_code)]

use opentelemetry_api::global::{self, DiagnosticLevel};
use opentelemetry_api::logs::{LogRecord as _, Logger as _};
use opentelemetry_api::{AnyValue, Key};
use opentelemetry_sdk::logs::{LogData, LogExporter, SdkLogger};
use opentelemetry_sdk::trace::BoxFuture;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Emits a record whose `id` attribute is `id`.
pub fn emit(logger: &SdkLogger, id: i64) {
    let mut record = logger.create_log_record();
    record.add_attribute("id", id);
    logger.emit(record);
}

/// The `id` attribute of a record.
pub fn id_of(data: &LogData) -> i64 {
    match data.record.get_attribute(&Key::from("id")) {
        Some(AnyValue::Int(id)) => *id,
        other => panic!("record without an id: {other:?}"),
    }
}

/// What the exporter does on one `export` call.
#[derive(Debug)]
pub enum Behaviour {
    Succeed,
    Fail(&'static str),
    Panic,
    /// A future that never completes.
    Pending,
    /// Blocks the calling thread until [`TestExporter::release`].
    Block,
}

#[derive(Debug, Default)]
pub struct State {
    pub batches: Vec<Vec<i64>>,
    pub script: VecDeque<Behaviour>,
    pub calls: usize,
    pub flushes: usize,
    pub shutdowns: usize,
    pub permits: usize,
}

/// A log exporter whose behaviour a test scripts; clones share state.
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

    pub fn exported(&self) -> Vec<i64> {
        self.state().batches.iter().flatten().copied().collect()
    }

    pub fn release(&self) {
        self.state().permits += 1;
        self.shared.1.notify_all();
    }

    pub fn wait_calls(&self, n: usize) {
        wait_until(|| self.state().calls >= n);
    }

    fn record(&self, batch: &[LogData]) -> BoxFuture<'static, opentelemetry_sdk::Result> {
        let ids = batch.iter().map(id_of).collect();
        self.state().batches.push(ids);
        Box::pin(std::future::ready(Ok(())))
    }
}

impl LogExporter for TestExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
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
        self.state().flushes += 1;
        Ok(())
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

/// A writer into shared memory, for the text exporters.
#[derive(Clone, Debug, Default)]
pub struct SharedBuf(pub Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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
