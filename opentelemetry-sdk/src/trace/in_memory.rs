//! An exporter that keeps spans in memory, for tests.

use super::export::{BoxFuture, SpanData, SpanExporter};
use crate::error::{Error, Result};
use crate::resource::Resource;
use std::sync::{Arc, Mutex};

/// Keeps exported spans in memory; clones share the same storage, so a test keeps one clone
/// and gives the other to a processor.
///
/// ```
/// use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
///
/// let exporter = InMemorySpanExporter::default();
/// let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
/// provider.tracer("t").start("a").end();
/// assert_eq!(exporter.get_finished_spans().len(), 1);
/// exporter.reset();
/// assert!(exporter.get_finished_spans().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct InMemorySpanExporter {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    spans: Vec<SpanData>,
    resource: Option<Resource>,
    shutdown: bool,
}

impl InMemorySpanExporter {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The spans exported so far, in order.
    pub fn get_finished_spans(&self) -> Vec<SpanData> {
        self.state().spans.clone()
    }

    /// The resource the provider gave this exporter.
    pub fn resource(&self) -> Option<Resource> {
        self.state().resource.clone()
    }

    /// Forgets the exported spans.
    pub fn reset(&self) {
        self.state().spans.clear();
    }

    /// Whether `shutdown` was called.
    pub fn is_shutdown(&self) -> bool {
        self.state().shutdown
    }
}

impl SpanExporter for InMemorySpanExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
        let mut state = self.state();
        let result = if state.shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            state.spans.extend_from_slice(batch);
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
