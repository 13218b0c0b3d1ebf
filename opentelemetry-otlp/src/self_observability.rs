//! The exporters' self-observability metrics (the semantic conventions'
//! `otel.sdk.exporter.*`): items in flight, items exported (per outcome) and the duration of
//! each export operation, retries included. Off unless the builder was given a meter
//! provider ([`WithExportConfig::with_self_observability`](crate::WithExportConfig::with_self_observability)).
//!
//! Recorded on the exporter's worker thread around the whole export (all attempts): one
//! `inflight` increment when the batch is handed over, one decrement, one `exported` count
//! per outcome and one duration when the export concludes (also when the worker's runtime
//! drops it unfinished).

use crate::config::{Protocol, Signal};
use crate::error::Error;
use opentelemetry_api::metrics::{
    BoundCounter, BoundUpDownCounter, Counter, Histogram, Meter, MeterProvider,
};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_semantic_conventions::attribute::{
    error_type, otel_component_type as types, ERROR_TYPE, HTTP_RESPONSE_STATUS_CODE,
    OTEL_COMPONENT_NAME, OTEL_COMPONENT_TYPE, RPC_RESPONSE_STATUS_CODE, SERVER_ADDRESS,
    SERVER_PORT,
};
use opentelemetry_semantic_conventions::metric as names;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The meter of the exporters' metrics: this crate's scope, version and the conventions'
/// schema URL.
pub(crate) fn meter<P: MeterProvider + ?Sized>(provider: &P) -> Meter {
    provider.meter_with_scope(
        InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_schema_url(opentelemetry_semantic_conventions::SCHEMA_URL)
            .build(),
    )
}

/// Histogram bucket boundaries (seconds) advised for the export duration: 5 ms to 10 s.
const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The next instance number of each exporter type in this process (starting at 0).
static INSTANCES: Mutex<Vec<(&'static str, u64)>> = Mutex::new(Vec::new());

/// `<type>/<n>`: `n` counts the instances of the type in the process, as the conventions
/// recommend.
fn component_name(component_type: &'static str) -> String {
    // Only counters are updated under the lock: a poisoned one is still consistent.
    let mut instances = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
    let n = match instances.iter_mut().find(|(t, _)| *t == component_type) {
        Some((_, next)) => {
            *next += 1;
            *next - 1
        }
        None => {
            instances.push((component_type, 1));
            0
        }
    };
    format!("{component_type}/{n}")
}

/// The conventions' `otel.component.type` of an OTLP exporter.
pub(crate) fn component_type(signal: Signal, protocol: Protocol) -> &'static str {
    match (signal, protocol) {
        (Signal::Traces, Protocol::Grpc) => types::OTLP_GRPC_SPAN_EXPORTER,
        (Signal::Traces, Protocol::HttpBinary) => types::OTLP_HTTP_SPAN_EXPORTER,
        (Signal::Traces, Protocol::HttpJson) => types::OTLP_HTTP_JSON_SPAN_EXPORTER,
        (Signal::Logs, Protocol::Grpc) => types::OTLP_GRPC_LOG_EXPORTER,
        (Signal::Logs, Protocol::HttpBinary) => types::OTLP_HTTP_LOG_EXPORTER,
        (Signal::Logs, Protocol::HttpJson) => types::OTLP_HTTP_JSON_LOG_EXPORTER,
        (Signal::Metrics, Protocol::Grpc) => types::OTLP_GRPC_METRIC_EXPORTER,
        (Signal::Metrics, Protocol::HttpBinary) => types::OTLP_HTTP_METRIC_EXPORTER,
        (Signal::Metrics, Protocol::HttpJson) => types::OTLP_HTTP_JSON_METRIC_EXPORTER,
    }
}

/// `server.address` and `server.port` of an endpoint URL (the scheme's default port when it
/// names none).
fn server(endpoint: &str) -> Option<(String, u16)> {
    let uri: http::Uri = endpoint.parse().ok()?;
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().or_else(|| match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some((host.to_owned(), port))
}

/// The canonical name of a gRPC status code (`rpc.response.status_code`).
fn grpc_code_name(code: i32) -> Cow<'static, str> {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| Cow::Owned(code.to_string()), |n| Cow::Borrowed(*n))
}

/// What the attempts of one export learned, for its metrics: the last attempt's response
/// status, the items the receiver rejected, and whether the last attempt timed out. Written
/// by the attempts (one at a time), read when the export concludes.
#[derive(Debug)]
pub(crate) struct Report {
    /// The last HTTP status (0: none).
    http: AtomicU32,
    /// The last gRPC status code (-1: none).
    grpc: AtomicI32,
    rejected: AtomicI64,
    timed_out: AtomicBool,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            http: AtomicU32::new(0),
            grpc: AtomicI32::new(-1),
            rejected: AtomicI64::new(0),
            timed_out: AtomicBool::new(false),
        }
    }
}

impl Report {
    /// A new attempt starts: forget the previous one's outcome.
    pub(crate) fn attempt(&self) {
        self.http.store(0, Ordering::Relaxed);
        self.grpc.store(-1, Ordering::Relaxed);
        self.rejected.store(0, Ordering::Relaxed);
        self.timed_out.store(false, Ordering::Relaxed);
    }

    pub(crate) fn http_status(&self, status: u16) {
        self.http.store(u32::from(status), Ordering::Relaxed);
    }

    #[cfg_attr(not(feature = "grpc-tonic"), allow(dead_code))]
    pub(crate) fn grpc_status(&self, code: i32) {
        self.grpc.store(code, Ordering::Relaxed);
    }

    /// The receiver's partial success: `rejected` items refused.
    pub(crate) fn rejected(&self, rejected: i64) {
        self.rejected.store(rejected.max(0), Ordering::Relaxed);
    }

    pub(crate) fn timed_out(&self) {
        self.timed_out.store(true, Ordering::Relaxed);
    }

    fn http(&self) -> Option<u16> {
        u16::try_from(self.http.load(Ordering::Relaxed))
            .ok()
            .filter(|s| *s != 0)
    }

    fn grpc(&self) -> Option<i32> {
        Some(self.grpc.load(Ordering::Relaxed)).filter(|c| *c >= 0)
    }

    /// The `error.type` of a failed export.
    fn error_type(&self, error: &Error) -> Cow<'static, str> {
        match error {
            Error::RequestTooLarge { .. } => "request_too_large".into(),
            Error::ResponseTooLarge { .. } => "response_too_large".into(),
            Error::Shutdown => "shutdown".into(),
            Error::Encode(_) => "encode".into(),
            _ => {
                if let Some(status) = self.http() {
                    status.to_string().into()
                } else if let Some(code) = self.grpc() {
                    grpc_code_name(code)
                } else if self.timed_out.load(Ordering::Relaxed) {
                    "timeout".into()
                } else {
                    error_type::OTHER.into()
                }
            }
        }
    }
}

/// One exporter's metrics, bound to its component and server attributes.
#[derive(Debug)]
pub(crate) struct ExporterMetrics {
    inflight: BoundUpDownCounter<i64>,
    exported_ok: BoundCounter<u64>,
    exported: Counter<u64>,
    duration: Histogram<f64>,
    /// Component type and name, server address and port.
    attributes: Vec<KeyValue>,
}

impl ExporterMetrics {
    pub(crate) fn new(meter: &Meter, signal: Signal, protocol: Protocol, endpoint: &str) -> Self {
        let component_type = component_type(signal, protocol);
        let mut attributes = vec![
            KeyValue::new(OTEL_COMPONENT_TYPE, component_type),
            KeyValue::new(OTEL_COMPONENT_NAME, component_name(component_type)),
        ];
        if let Some((address, port)) = server(endpoint) {
            attributes.push(KeyValue::new(SERVER_ADDRESS, address));
            attributes.push(KeyValue::new(SERVER_PORT, i64::from(port)));
        }
        let (inflight_name, exported_name, unit, items) = match signal {
            Signal::Traces => (
                names::OTEL_SDK_EXPORTER_SPAN_INFLIGHT,
                names::OTEL_SDK_EXPORTER_SPAN_EXPORTED,
                "{span}",
                "spans",
            ),
            Signal::Logs => (
                names::OTEL_SDK_EXPORTER_LOG_INFLIGHT,
                names::OTEL_SDK_EXPORTER_LOG_EXPORTED,
                "{log_record}",
                "log records",
            ),
            Signal::Metrics => (
                names::OTEL_SDK_EXPORTER_METRIC_DATA_POINT_INFLIGHT,
                names::OTEL_SDK_EXPORTER_METRIC_DATA_POINT_EXPORTED,
                "{data_point}",
                "metric data points",
            ),
        };
        let inflight = meter
            .i64_up_down_counter(inflight_name)
            .with_unit(unit)
            .with_description(format!(
                "The number of {items} which were passed to the exporter, but that have not \
                 been exported yet (neither successful, nor failed)."
            ))
            .build();
        let exported = meter
            .u64_counter(exported_name)
            .with_unit(unit)
            .with_description(format!(
                "The number of {items} for which the export has finished, either successful \
                 or failed."
            ))
            .build();
        let duration = meter
            .f64_histogram(names::OTEL_SDK_EXPORTER_OPERATION_DURATION)
            .with_unit("s")
            .with_description("The duration of exporting a batch of telemetry records.")
            .with_boundaries(DURATION_BOUNDARIES.to_vec())
            .build();
        ExporterMetrics {
            inflight: inflight.bind(&attributes),
            exported_ok: exported.bind(&attributes),
            exported,
            duration,
            attributes,
        }
    }

    /// `items` are handed to the exporter: in flight until the returned guard concludes.
    pub(crate) fn start(self: &Arc<Self>, items: usize) -> Export {
        let items = items as u64;
        self.inflight.add(i64::try_from(items).unwrap_or(i64::MAX));
        Export {
            metrics: Arc::clone(self),
            items,
            start: Instant::now(),
            report: Arc::new(Report::default()),
            result: None,
        }
    }

    fn with(&self, extra: &[KeyValue]) -> Vec<KeyValue> {
        let mut attributes: Vec<KeyValue> = self.attributes.clone();
        attributes.extend_from_slice(extra);
        attributes
    }
}

/// One export in flight; records its conclusion when dropped (unfinished: as `shutdown`).
#[derive(Debug)]
pub(crate) struct Export {
    metrics: Arc<ExporterMetrics>,
    items: u64,
    start: Instant,
    report: Arc<Report>,
    /// The outcome, once known: `None` is an export dropped unfinished.
    result: Option<Result<(), Cow<'static, str>>>,
}

impl Export {
    /// Where the attempts write what they learn.
    pub(crate) fn report(&self) -> &Arc<Report> {
        &self.report
    }

    /// The export concluded with `result`.
    pub(crate) fn finish(mut self, result: &Result<(), Error>) {
        self.result = Some(match result {
            Ok(()) => Ok(()),
            Err(error) => Err(self.report.error_type(error)),
        });
    }

    /// The export failed before anything was sent.
    pub(crate) fn failed(mut self, error: &Error) {
        self.result = Some(Err(self.report.error_type(error)));
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        let metrics = &*self.metrics;
        metrics
            .inflight
            .add(-i64::try_from(self.items).unwrap_or(i64::MAX));
        let result = self.result.take().unwrap_or(Err(Cow::Borrowed("shutdown")));
        let mut extra = Vec::with_capacity(2);
        if let Some(status) = self.report.http() {
            extra.push(KeyValue::new(HTTP_RESPONSE_STATUS_CODE, i64::from(status)));
        } else if let Some(code) = self.report.grpc() {
            extra.push(KeyValue::new(
                RPC_RESPONSE_STATUS_CODE,
                grpc_code_name(code),
            ));
        }
        let elapsed = self.start.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                let rejected = u64::try_from(self.report.rejected.load(Ordering::Relaxed))
                    .unwrap_or(0)
                    .min(self.items);
                metrics.exported_ok.add(self.items - rejected);
                if rejected > 0 {
                    // Not a full success: the rejected items failed, and so did the operation.
                    let error = KeyValue::new(ERROR_TYPE, "rejected");
                    metrics
                        .exported
                        .add(rejected, &metrics.with(std::slice::from_ref(&error)));
                    extra.push(error);
                }
                metrics.duration.record(elapsed, &metrics.with(&extra));
            }
            Err(error) => {
                let error = KeyValue::new(ERROR_TYPE, error);
                metrics
                    .exported
                    .add(self.items, &metrics.with(std::slice::from_ref(&error)));
                extra.push(error);
                metrics.duration.record(elapsed, &metrics.with(&extra));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_from_endpoints() {
        assert_eq!(
            server("http://collector:4318/v1/traces"),
            Some(("collector".into(), 4318))
        );
        assert_eq!(
            server("https://example.com"),
            Some(("example.com".into(), 443))
        );
        assert_eq!(server("http://[::1]:4317"), Some(("::1".into(), 4317)));
        assert_eq!(server("http://127.0.0.1"), Some(("127.0.0.1".into(), 80)));
        assert_eq!(server("not a url"), None);
    }

    #[test]
    fn grpc_codes_by_name() {
        assert_eq!(grpc_code_name(0), "OK");
        assert_eq!(grpc_code_name(14), "UNAVAILABLE");
        assert_eq!(grpc_code_name(16), "UNAUTHENTICATED");
        assert_eq!(grpc_code_name(99), "99");
    }

    #[test]
    fn error_types_prefer_the_last_response() {
        let report = Report::default();
        let rejected = Error::Rejected("x".into());
        assert_eq!(report.error_type(&rejected), "_OTHER");
        report.timed_out();
        assert_eq!(report.error_type(&rejected), "timeout");
        report.attempt();
        report.http_status(503);
        assert_eq!(report.error_type(&rejected), "503");
        report.attempt();
        report.grpc_status(14);
        assert_eq!(report.error_type(&rejected), "UNAVAILABLE");
        assert_eq!(
            report.error_type(&Error::RequestTooLarge { size: 2, limit: 1 }),
            "request_too_large"
        );
        assert_eq!(report.error_type(&Error::Shutdown), "shutdown");
    }
}
