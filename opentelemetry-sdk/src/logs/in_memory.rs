//! An exporter that keeps log records in memory, for tests.

use super::export::{LogData, LogExporter};
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::trace::BoxFuture;
use std::sync::{Arc, Mutex};

/// Keeps exported log records in memory; clones share the same storage, so a test keeps one
/// clone and gives the other to a processor.
///
/// ```
/// use opentelemetry_api::logs::{Logger, LoggerProvider};
/// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
///
/// let exporter = InMemoryLogExporter::default();
/// let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
/// let logger = provider.logger("t");
/// logger.emit(logger.create_log_record());
/// assert_eq!(exporter.get_emitted_logs().len(), 1);
/// exporter.reset();
/// assert!(exporter.get_emitted_logs().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct InMemoryLogExporter {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    logs: Vec<LogData>,
    resource: Option<Resource>,
    shutdown: bool,
}

impl InMemoryLogExporter {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The records exported so far, in order.
    pub fn get_emitted_logs(&self) -> Vec<LogData> {
        self.state().logs.clone()
    }

    /// The resource the provider gave this exporter.
    pub fn resource(&self) -> Option<Resource> {
        self.state().resource.clone()
    }

    /// Forgets the exported records.
    pub fn reset(&self) {
        self.state().logs.clear();
    }

    /// Whether `shutdown` was called.
    pub fn is_shutdown(&self) -> bool {
        self.state().shutdown
    }
}

impl LogExporter for InMemoryLogExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result> {
        let mut state = self.state();
        let result = if state.shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            state.logs.extend_from_slice(batch);
            Ok(())
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.state().shutdown = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.state().resource = Some(resource.clone());
    }
}
