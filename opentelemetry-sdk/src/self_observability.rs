//! SDK self-observability: the `otel.sdk.*` metrics of the semantic conventions
//! (`model/otel/metrics.yaml`), recorded into a `MeterProvider` the user hands over.
//!
//! Off unless a `with_self_observability` builder method was called: the components keep an
//! `Option` (or a `OnceLock` where a running worker shares the state), tested where nothing
//! else is kept live across the test (span start: after the sampling branch, recorded out of
//! line; span end: one test) or off the hot path (a processor's drops, its worker's exports);
//! log records are counted by a processor the logger provider puts in front of the others
//! only when on. When on, every instrument is bound to its precomputed attribute set when
//! the component is built, so recording is one call on a bound instrument: no allocation, no
//! attribute lookup. Queue sizes and capacities are observed by a callback at collection time
//! (nothing is recorded per item); the callback holds the queue weakly, and is unregistered
//! when the component goes away.
//!
//! Nothing here is recorded while the recording provider collects: a metric reader records
//! its collection's duration after the collection returned, so a reader may record into the
//! provider it collects.

use crate::error::Error;
use opentelemetry_api::metrics::{
    BoundCounter, BoundHistogram, BoundUpDownCounter, CallbackRegistration, Histogram, Meter,
    MeterProvider, ObservableUpDownCounter,
};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_semantic_conventions::attribute::{
    error_type, otel_span_parent_origin, otel_span_sampling_result, ERROR_TYPE,
    OTEL_COMPONENT_NAME, OTEL_COMPONENT_TYPE, OTEL_SPAN_PARENT_ORIGIN, OTEL_SPAN_SAMPLING_RESULT,
};
use opentelemetry_semantic_conventions::metric as names;
use std::sync::Mutex;
use std::time::Duration;

/// The instrumentation scope of the SDK's own metrics: the crate, its version, and the
/// schema of the conventions the names come from.
pub(crate) fn meter<P: MeterProvider + ?Sized>(provider: &P) -> Meter {
    provider.meter_with_scope(
        InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_schema_url(opentelemetry_semantic_conventions::SCHEMA_URL)
            .build(),
    )
}

/// The next instance number of each component type in this process (starting at 0).
static INSTANCES: Mutex<Vec<(&'static str, u64)>> = Mutex::new(Vec::new());

/// `otel.component.type` and `otel.component.name` of a new component instance:
/// `<type>/<n>`, `n` counting the instances of the type in the process, as the conventions
/// recommend (unique, low cardinality, stable across restarts).
pub(crate) fn component(component_type: &'static str) -> [KeyValue; 2] {
    let n = {
        // Only counters are updated under the lock: a poisoned one is still consistent.
        let mut instances = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
        match instances.iter_mut().find(|(t, _)| *t == component_type) {
            Some((_, next)) => {
                let n = *next;
                *next += 1;
                n
            }
            None => {
                instances.push((component_type, 1));
                0
            }
        }
    };
    [
        KeyValue::new(OTEL_COMPONENT_TYPE, component_type),
        KeyValue::new(OTEL_COMPONENT_NAME, format!("{component_type}/{n}")),
    ]
}

/// A low-cardinality `error.type` for an SDK error.
pub(crate) fn error_type(err: &Error) -> &'static str {
    match err {
        Error::AlreadyShutdown => "already_shutdown",
        Error::Timeout(_) => "timeout",
        Error::ExportFailed(_) => "export_failed",
        Error::InternalFailure(_) => error_type::OTHER,
    }
}

/// Histogram bucket boundaries (seconds) advised for the duration metrics: from 5 ms to 10 s.
const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

// ---------------------------------------------------------------------------------------------
// Traces

/// `otel.span.parent.origin` values, indexed as [`TracerMetrics::started`] is.
const ORIGINS: [&str; 3] = [
    otel_span_parent_origin::NONE,
    otel_span_parent_origin::LOCAL,
    otel_span_parent_origin::REMOTE,
];
/// `otel.span.sampling_result` values, indexed as [`TracerMetrics::started`] is.
const SAMPLING_RESULTS: [&str; 3] = [
    otel_span_sampling_result::DROP,
    otel_span_sampling_result::RECORD_ONLY,
    otel_span_sampling_result::RECORD_AND_SAMPLE,
];

/// Where a new span's parent is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParentOrigin {
    None = 0,
    Local = 1,
    Remote = 2,
}

/// The tracer provider's metrics: `otel.sdk.span.started` (per parent origin and sampling
/// result) and `otel.sdk.span.live` (per sampling result of recording spans), bound to all
/// their attribute combinations up front.
pub(crate) struct TracerMetrics {
    /// `[origin][sampling result]`.
    started: [[BoundCounter<u64>; 3]; 3],
    /// `[sampled]`: RECORD_ONLY, RECORD_AND_SAMPLE.
    live: [BoundUpDownCounter<i64>; 2],
}

impl std::fmt::Debug for TracerMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TracerMetrics")
    }
}

impl TracerMetrics {
    pub(crate) fn new(meter: &Meter) -> Self {
        let started = meter
            .u64_counter(names::OTEL_SDK_SPAN_STARTED)
            .with_unit("{span}")
            .with_description("The number of created spans.")
            .build();
        let live = meter
            .i64_up_down_counter(names::OTEL_SDK_SPAN_LIVE)
            .with_unit("{span}")
            .with_description(
                "The number of created spans with recording=true for which the end operation \
                 has not been called yet.",
            )
            .build();
        TracerMetrics {
            started: ORIGINS.map(|origin| {
                SAMPLING_RESULTS.map(|result| {
                    started.bind(&[
                        KeyValue::new(OTEL_SPAN_PARENT_ORIGIN, origin),
                        KeyValue::new(OTEL_SPAN_SAMPLING_RESULT, result),
                    ])
                })
            }),
            live: [SAMPLING_RESULTS[1], SAMPLING_RESULTS[2]]
                .map(|result| live.bind(&[KeyValue::new(OTEL_SPAN_SAMPLING_RESULT, result)])),
        }
    }

    /// A span was created; `decision` 0: dropped, 1: recorded, 2: recorded and sampled.
    #[inline]
    pub(crate) fn started(&self, origin: ParentOrigin, decision: usize) {
        self.started[origin as usize][decision].add(1);
        if decision > 0 {
            self.live[decision - 1].add(1);
        }
    }

    /// A recording span ended.
    #[inline]
    pub(crate) fn ended(&self, sampled: bool) {
        self.live[usize::from(sampled)].add(-1);
    }
}

// ---------------------------------------------------------------------------------------------
// Logs

/// `otel.sdk.log.created`, bound (it has no attributes).
pub(crate) fn log_created(meter: &Meter) -> BoundCounter<u64> {
    meter
        .u64_counter(names::OTEL_SDK_LOG_CREATED)
        .with_unit("{log_record}")
        .with_description("The number of logs submitted to enabled SDK Loggers.")
        .build()
        .bind(&[])
}

// ---------------------------------------------------------------------------------------------
// Processors (spans and logs, batching and simple)

/// The names of one signal's processor metrics.
#[derive(Debug)]
pub(crate) struct ProcessorNames {
    pub(crate) processed: &'static str,
    pub(crate) queue_size: &'static str,
    pub(crate) queue_capacity: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) items: &'static str,
}

/// The span processors' metric names.
pub(crate) static SPAN_PROCESSOR: ProcessorNames = ProcessorNames {
    processed: names::OTEL_SDK_PROCESSOR_SPAN_PROCESSED,
    queue_size: names::OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE,
    queue_capacity: names::OTEL_SDK_PROCESSOR_SPAN_QUEUE_CAPACITY,
    unit: "{span}",
    items: "spans",
};

/// The log record processors' metric names.
pub(crate) static LOG_PROCESSOR: ProcessorNames = ProcessorNames {
    processed: names::OTEL_SDK_PROCESSOR_LOG_PROCESSED,
    queue_size: names::OTEL_SDK_PROCESSOR_LOG_QUEUE_SIZE,
    queue_capacity: names::OTEL_SDK_PROCESSOR_LOG_QUEUE_CAPACITY,
    unit: "{log_record}",
    items: "log records",
};

/// Reads a processor's queue: its length and capacity, or `None` once the processor is gone.
pub(crate) type QueueProbe = Box<dyn Fn() -> Option<(usize, usize)> + Send + Sync>;

/// Why a processor dropped an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dropped {
    QueueFull,
    AlreadyShutdown,
}

/// One processor's metrics: `processed` bound to the component (success) and to each drop
/// reason, and, for a queueing processor, the callback observing its queue.
pub(crate) struct ProcessorMetrics {
    processed: BoundCounter<u64>,
    queue_full: BoundCounter<u64>,
    already_shutdown: BoundCounter<u64>,
    queue: Option<Box<dyn CallbackRegistration>>,
}

impl std::fmt::Debug for ProcessorMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProcessorMetrics")
    }
}

impl ProcessorMetrics {
    /// The metrics of a new processor of `component_type`. `queue`, for a queueing
    /// processor, returns the queue's length and capacity, or `None` once the processor is
    /// gone; it is called at each collection of the recording provider.
    pub(crate) fn new(
        meter: &Meter,
        names: &'static ProcessorNames,
        component_type: &'static str,
        queue: Option<QueueProbe>,
    ) -> Self {
        let component = component(component_type);
        let processed = meter
            .u64_counter(names.processed)
            .with_unit(names.unit)
            .with_description(format!(
                "The number of {} for which the processing has finished, either successful \
                 or failed.",
                names.items
            ))
            .build();
        let with_error = |error: &'static str| {
            let [t, n] = component.clone();
            processed.bind(&[t, n, KeyValue::new(ERROR_TYPE, error)])
        };
        let queue = queue.and_then(|queue| {
            let size: ObservableUpDownCounter<i64> = meter
                .i64_observable_up_down_counter(names.queue_size)
                .with_unit(names.unit)
                .with_description(format!(
                    "The number of {} in the queue of a given instance of an SDK processor.",
                    names.items
                ))
                .build();
            let capacity: ObservableUpDownCounter<i64> = meter
                .i64_observable_up_down_counter(names.queue_capacity)
                .with_unit(names.unit)
                .with_description(format!(
                    "The maximum number of {} the queue of a given instance of an SDK \
                     processor can hold.",
                    names.items
                ))
                .build();
            let attributes = component.clone();
            let instruments = (size.clone(), capacity.clone());
            let registered = meter.register_callback(&[&size, &capacity], move |observer| {
                if let Some((len, cap)) = queue() {
                    let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                    observer.observe_i64(&instruments.0, to_i64(len), &attributes);
                    observer.observe_i64(&instruments.1, to_i64(cap), &attributes);
                }
            });
            match registered {
                Ok(registration) => Some(registration),
                Err(err) => {
                    opentelemetry_api::otel_warn!(
                        "SelfObservability.CallbackFailed",
                        "the queue of {component_type} is not observed: {err}"
                    );
                    None
                }
            }
        });
        ProcessorMetrics {
            queue_full: with_error("queue_full"),
            already_shutdown: with_error("already_shutdown"),
            processed: processed.bind(&component),
            queue,
        }
    }

    /// `n` items were handed to the exporter.
    #[inline]
    pub(crate) fn processed(&self, n: u64) {
        self.processed.add(n);
    }

    /// An item was dropped.
    #[cold]
    pub(crate) fn dropped(&self, why: Dropped) {
        match why {
            Dropped::QueueFull => self.queue_full.add(1),
            Dropped::AlreadyShutdown => self.already_shutdown.add(1),
        }
    }
}

impl Drop for ProcessorMetrics {
    fn drop(&mut self) {
        if let Some(mut registration) = self.queue.take() {
            let _ = registration.unregister();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metric readers

/// A metric reader's `otel.sdk.metric_reader.collection.duration`.
pub(crate) struct ReaderMetrics {
    duration: Histogram<f64>,
    ok: BoundHistogram<f64>,
    component: [KeyValue; 2],
}

impl std::fmt::Debug for ReaderMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReaderMetrics")
    }
}

impl ReaderMetrics {
    pub(crate) fn new(meter: &Meter, component_type: &'static str) -> Self {
        let component = component(component_type);
        let duration = meter
            .f64_histogram(names::OTEL_SDK_METRIC_READER_COLLECTION_DURATION)
            .with_unit("s")
            .with_description("The duration of the collect operation of the metric reader.")
            .with_boundaries(DURATION_BOUNDARIES.to_vec())
            .build();
        ReaderMetrics {
            ok: duration.bind(&component),
            duration,
            component,
        }
    }

    /// A collection took `elapsed` and ended with `result`.
    pub(crate) fn collected(&self, elapsed: Duration, result: &crate::Result) {
        let seconds = elapsed.as_secs_f64();
        match result {
            Ok(()) => self.ok.record(seconds),
            Err(err) => {
                let [t, n] = self.component.clone();
                self.duration
                    .record(seconds, &[t, n, KeyValue::new(ERROR_TYPE, error_type(err))]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_names_count_per_type_from_zero() {
        // A type no other test uses: the counter starts at 0 in any test process.
        let first = component("test_component_a");
        let second = component("test_component_a");
        let other = component("test_component_b");
        assert_eq!(
            first[0],
            KeyValue::new(OTEL_COMPONENT_TYPE, "test_component_a")
        );
        assert_eq!(
            first[1],
            KeyValue::new(OTEL_COMPONENT_NAME, "test_component_a/0")
        );
        assert_eq!(
            second[1],
            KeyValue::new(OTEL_COMPONENT_NAME, "test_component_a/1")
        );
        assert_eq!(
            other[1],
            KeyValue::new(OTEL_COMPONENT_NAME, "test_component_b/0")
        );
    }

    #[test]
    fn error_types_are_low_cardinality() {
        assert_eq!(error_type(&Error::AlreadyShutdown), "already_shutdown");
        assert_eq!(
            error_type(&Error::Timeout(Duration::from_secs(1))),
            "timeout"
        );
        assert_eq!(
            error_type(&Error::ExportFailed("x".into())),
            "export_failed"
        );
        assert_eq!(error_type(&Error::InternalFailure("y".into())), "_OTHER");
    }
}
