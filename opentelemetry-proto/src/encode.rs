//! Direct encoders (feature `sdk`): the SDK's spans, metrics and log records straight to the
//! bytes of an export request, in protobuf or OTLP/JSON, without building the request's
//! messages first.
//!
//! They write exactly what encoding the request built by
//! [`ExportTraceServiceRequest::from_spans`](crate::collector::trace::v1::ExportTraceServiceRequest::from_spans),
//! [`ExportMetricsServiceRequest::from_metrics`](crate::collector::metrics::v1::ExportMetricsServiceRequest::from_metrics)
//! or
//! [`ExportLogsServiceRequest::from_logs`](crate::collector::logs::v1::ExportLogsServiceRequest::from_logs)
//! writes (same grouping by scope, same fields, same omission of default values): protobuf
//! byte for byte as prost encodes it, and JSON that reads as the same JSON value as the
//! request's serde serialization (feature `with-serde`). What they save is the building: no
//! message structs, no copies of attribute keys and values, no allocation at all for a batch
//! whose items share one scope (beyond the growth of the output).
//!
//! Each function appends to `out`, so a caller may reuse one buffer (clear it first) or
//! reserve capacity from the size of the previous request.
//!
//! ```
//! use opentelemetry_api::trace::{Tracer, TracerProvider};
//! use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
//! use opentelemetry_proto::encode;
//! use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
//! use opentelemetry_sdk::Resource;
//! use prost::Message;
//!
//! let exporter = InMemorySpanExporter::default();
//! let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
//! provider.tracer("shop").in_span("checkout", |_cx| {});
//! let spans = exporter.get_finished_spans();
//! let resource = Resource::builder().with_service_name("shop").build();
//!
//! let mut body = Vec::new();
//! encode::encode_traces(&spans, &resource, &mut body);
//! assert_eq!(body, ExportTraceServiceRequest::from_spans(&spans, &resource).encode_to_vec());
//!
//! let mut json = Vec::new();
//! encode::encode_traces_json(&spans, &resource, &mut json);
//! assert!(json.starts_with(br#"{"resourceSpans":[{"resource":{"attributes":["#));
//! ```

mod common;
mod logs;
mod metrics;
mod sink;
mod trace;

use opentelemetry_sdk::logs::LogData;
use opentelemetry_sdk::metrics::ResourceMetrics;
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;
use sink::{Json, Protobuf};

/// Appends the protobuf encoding of the `ExportTraceServiceRequest` for `spans` of
/// `resource` to `out` (nothing for an empty batch, as for the empty request).
pub fn encode_traces(spans: &[SpanData], resource: &Resource, out: &mut Vec<u8>) {
    trace::request(&mut Protobuf { buf: out }, spans, resource);
}

/// Appends the OTLP/JSON encoding of the `ExportTraceServiceRequest` for `spans` of
/// `resource` to `out` (`{}` for an empty batch).
pub fn encode_traces_json(spans: &[SpanData], resource: &Resource, out: &mut Vec<u8>) {
    out.push(b'{');
    trace::request(&mut Json { buf: out }, spans, resource);
    out.push(b'}');
}

/// Appends the protobuf encoding of the `ExportMetricsServiceRequest` for one collection to
/// `out`. A metric whose kind of data this version cannot encode is left out and reported.
pub fn encode_metrics(metrics: &ResourceMetrics, out: &mut Vec<u8>) {
    metrics::request(&mut Protobuf { buf: out }, metrics);
}

/// Appends the OTLP/JSON encoding of the `ExportMetricsServiceRequest` for one collection to
/// `out`. A metric whose kind of data this version cannot encode is left out and reported.
///
/// ```
/// use opentelemetry_proto::encode;
/// use opentelemetry_sdk::metrics::ResourceMetrics;
///
/// let mut body = Vec::new();
/// encode::encode_metrics_json(&ResourceMetrics::default(), &mut body);
/// assert_eq!(body, br#"{"resourceMetrics":[{"resource":{}}]}"#);
/// ```
pub fn encode_metrics_json(metrics: &ResourceMetrics, out: &mut Vec<u8>) {
    out.push(b'{');
    metrics::request(&mut Json { buf: out }, metrics);
    out.push(b'}');
}

/// Appends the protobuf encoding of the `ExportLogsServiceRequest` for `logs` of `resource`
/// to `out` (nothing for an empty batch). Records are grouped by scope and target as
/// [`ExportLogsServiceRequest::from_logs`](crate::collector::logs::v1::ExportLogsServiceRequest::from_logs)
/// groups them.
pub fn encode_logs(logs: &[LogData], resource: &Resource, out: &mut Vec<u8>) {
    logs::request(&mut Protobuf { buf: out }, logs, resource);
}

/// Appends the OTLP/JSON encoding of the `ExportLogsServiceRequest` for `logs` of `resource`
/// to `out` (`{}` for an empty batch).
pub fn encode_logs_json(logs: &[LogData], resource: &Resource, out: &mut Vec<u8>) {
    out.push(b'{');
    logs::request(&mut Json { buf: out }, logs, resource);
    out.push(b'}');
}
