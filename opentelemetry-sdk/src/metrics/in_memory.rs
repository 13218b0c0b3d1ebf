//! An exporter that keeps exported metrics in memory, for tests.

use super::data::{ResourceMetrics, Temporality};
use super::exporter::PushMetricExporter;
use super::reader::TemporalityPreference;
use super::view::InstrumentKind;
use crate::error::{Error, Result};
use crate::trace::BoxFuture;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct State {
    batches: Vec<ResourceMetrics>,
    shutdown: bool,
}

/// Keeps every exported batch in memory; clones share the storage, so a test keeps one
/// clone and gives the other to a [`PeriodicReader`](super::PeriodicReader).
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
///
/// let exporter = InMemoryMetricExporter::default();
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(exporter.clone()).build())
///     .build();
/// provider.meter("app").u64_counter("jobs").build().add(3, &[]);
/// provider.force_flush().unwrap();
/// let batches = exporter.get_finished_metrics();
/// assert_eq!(batches[0].scope_metrics[0].metrics[0].name, "jobs");
/// ```
#[derive(Clone, Debug, Default)]
pub struct InMemoryMetricExporter {
    state: Arc<Mutex<State>>,
    temporality: TemporalityPreference,
}

impl InMemoryMetricExporter {
    /// An exporter asking for `preference` (default: cumulative for every kind).
    pub fn with_temporality(preference: TemporalityPreference) -> Self {
        InMemoryMetricExporter {
            state: Arc::default(),
            temporality: preference,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every batch exported so far, in order.
    pub fn get_finished_metrics(&self) -> Vec<ResourceMetrics> {
        self.state().batches.clone()
    }

    /// Forgets the exported batches.
    pub fn reset(&self) {
        self.state().batches.clear();
    }

    /// Whether `shutdown` was called.
    pub fn is_shutdown(&self) -> bool {
        self.state().shutdown
    }
}

impl PushMetricExporter for InMemoryMetricExporter {
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result> {
        let mut state = self.state();
        let result = if state.shutdown {
            Err(Error::AlreadyShutdown)
        } else {
            state.batches.push(metrics.clone());
            Ok(())
        };
        Box::pin(std::future::ready(result))
    }

    fn shutdown(&mut self) -> Result {
        self.state().shutdown = true;
        Ok(())
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.temporality.temporality(kind)
    }
}
