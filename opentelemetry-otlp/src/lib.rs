//! OTLP exporters for OpenTelemetry traces, metrics and logs, over gRPC (tonic),
//! HTTP/protobuf and HTTP/JSON; and the OTLP file exporter, writing OTLP/JSON lines.
//!
//! Each exporter has a builder: pick a transport with `with_http()` or `with_tonic()` (or
//! neither, and `OTEL_EXPORTER_OTLP_PROTOCOL` decides, default `http/protobuf`), set what
//! differs from the environment, and `build()`. Settings made on the builder win over the
//! `OTEL_EXPORTER_OTLP_*` variables; invalid variables are reported through the diagnostic
//! macros and their default used.
//!
//! ```no_run
//! use opentelemetry_otlp::{Compression, LogExporter, MetricExporter, SpanExporter};
//! use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};
//! use opentelemetry_sdk::logs::SdkLoggerProvider;
//! use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use std::collections::HashMap;
//! use std::time::Duration;
//!
//! let spans = SpanExporter::builder()
//!     .with_tonic()
//!     .with_endpoint("http://localhost:4317")
//!     .with_compression(Compression::Gzip)
//!     .build()?;
//! let metrics = MetricExporter::builder().with_http().build()?;
//! let logs = LogExporter::builder()
//!     .with_http()
//!     .with_endpoint("http://localhost:4318/v1/logs")
//!     .with_headers(HashMap::from([("api-key".to_owned(), "secret".to_owned())]))
//!     .with_timeout(Duration::from_secs(5))
//!     .build()?;
//!
//! let tracer_provider = SdkTracerProvider::builder().with_batch_exporter(spans).build();
//! let meter_provider = SdkMeterProvider::builder()
//!     .with_reader(PeriodicReader::builder(metrics).build())
//!     .build();
//! let logger_provider = SdkLoggerProvider::builder().with_batch_exporter(logs).build();
//! # Ok::<(), opentelemetry_otlp::Error>(())
//! ```
//!
//! # The OTLP file exporter
//!
//! `with_stdout()`, `with_file(path)` or `with_writer(writer)` instead of a transport give the
//! OTLP file exporter (`otlp/stdout` in `OTEL_*_EXPORTER`): each export call's batch is
//! written as one line of OTLP/JSON (`TracesData`, `MetricsData` or `LogsData`, the JSON of
//! the export request) followed by `\n`. A file is opened for appending and created if
//! missing; each line is written whole (one `write_all`, under standard output's lock, a
//! lock of the file shared by the process's exporters writing to it, or one lock shared by
//! exporters writing to writers, so lines never interleave and a blocked writer stalls no
//! exporter writing elsewhere); `force_flush` and `shutdown` flush the
//! output; a failed write is the export's error ([`Error::Write`]), never a panic. The metric
//! exporter's temporality and histogram aggregation come from the builder, else from the
//! `OTEL_EXPORTER_OTLP_METRICS_*` variables, as over OTLP.
//!
//! ```
//! use opentelemetry_api::trace::{Tracer, TracerProvider};
//! use opentelemetry_otlp::SpanExporter;
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use std::io::Write;
//! use std::sync::{Arc, Mutex};
//!
//! /// A buffer the program keeps a handle to.
//! #[derive(Clone, Default)]
//! struct Shared(Arc<Mutex<Vec<u8>>>);
//! impl Write for Shared {
//!     fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
//!         self.0.lock().unwrap().write(buf)
//!     }
//!     fn flush(&mut self) -> std::io::Result<()> {
//!         Ok(())
//!     }
//! }
//!
//! let buffer = Shared::default();
//! let exporter = SpanExporter::builder().with_writer(buffer.clone()).build()?;
//! let provider = SdkTracerProvider::builder().with_simple_exporter(exporter).build();
//! provider.tracer("shop").in_span("checkout", |_cx| {});
//! provider.shutdown().unwrap();
//!
//! let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
//! assert!(text.starts_with(r#"{"resourceSpans":[{"resource":"#));
//! assert!(text.ends_with("}\n") && text.lines().count() == 1);
//! # Ok::<(), opentelemetry_otlp::Error>(())
//! ```
//!
//! # Threads and runtimes
//!
//! Each exporter over gRPC or HTTP owns one thread running a small tokio runtime: requests, retries and their
//! timers run there, and the future an export returns only waits for the outcome. So the
//! exporters work when polled by the SDK's background threads (no runtime at all), inside a
//! tokio runtime (current-thread included) and from async-std, without deadlock.
//!
//! # Retries
//!
//! Retryable failures (gRPC `UNAVAILABLE`, `CANCELLED`, `DEADLINE_EXCEEDED`, `ABORTED`,
//! `OUT_OF_RANGE`, `DATA_LOSS`, and `RESOURCE_EXHAUSTED` with a `RetryInfo`; HTTP 429, 502,
//! 503, 504; connection failures) are retried with exponential backoff and jitter, or after
//! the delay the receiver asked for (`RetryInfo`, `Retry-After`), all within the export
//! timeout ([`RetryPolicy`]). Other failures end the export at once with an error. Partial
//! successes (rejected items, warnings) are reported with `otel_warn!`.
//!
//! # Concurrent requests and several destinations
//!
//! By default an export sends one request and waits for the receiver's answer. With
//! [`with_max_concurrent_requests(n)`](WithExportConfig::with_max_concurrent_requests), `n`
//! requests may be in flight: an export returns once its request is, and the outcome is
//! reported through the diagnostics. With
//! [`with_additional_destination`](SpanExporterBuilder::with_additional_destination) one
//! exporter sends to several OTLP destinations: each batch is encoded once per encoding
//! into shared bytes queued for every destination, and each destination has its own queue
//! ([`with_max_queued_requests`](WithExportConfig::with_max_queued_requests)), in-flight
//! window and retries, so that none waits for another; a full queue drops the batch for its
//! destination only. `force_flush` and `shutdown` then wait for what is queued or in flight,
//! within the export timeout
//! ([`with_wait_on_shutdown`](WithExportConfig::with_wait_on_shutdown)).
//!
//! # Message size limits
//!
//! A request whose encoded message is over the maximum request size (default 64 MiB, before
//! compression; [`with_max_request_size`](WithExportConfig::with_max_request_size)) is not
//! sent: the export fails with [`Error::RequestTooLarge`]. A response over the maximum
//! response size (default 4 MiB, after decompression;
//! [`with_max_response_size`](WithExportConfig::with_max_response_size)) fails the export
//! with [`Error::ResponseTooLarge`], and reading stops at the limit. Neither is retried; both
//! are reported with `otel_error!` (`Otlp.RequestTooLarge`, `Otlp.ResponseTooLarge`).
//!
//! # Features
//!
//! | feature | what |
//! |---|---|
//! | `grpc-tonic` (default) | OTLP/gRPC with tonic, gzip included |
//! | `http-json` (default) | OTLP/HTTP with JSON bodies |
//! | `tls` | TLS for gRPC with rustls (`ring`): CA certificate, client certificate and key |
//! | `tls-roots` | with `tls`, the system's root certificates are trusted too |
//! | `reqwest-client` | reqwest as the default HTTP client instead of hyper |
//! | `reqwest-rustls` | HTTPS for OTLP/HTTP (reqwest with rustls): CA, client identity |
//!
//! OTLP/HTTP with binary protobuf over plain HTTP is always available.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod builder;
mod config;
mod delivery;
mod error;
mod file;
mod logs;
mod metric;
mod retry;
mod self_observability;
mod span;
// The RetryInfo reader serves the gRPC transport; the Status message, HTTP errors too.
#[cfg_attr(not(feature = "grpc-tonic"), allow(dead_code))]
mod status;
mod transport;

pub use builder::{
    BuilderState, HttpExporterBuilder, NoExporterBuilderSet, WithExportConfig, WithHttpConfig,
};
#[cfg(feature = "grpc-tonic")]
pub use builder::{TonicExporterBuilder, WithTonicConfig};
pub use config::{
    Compression, ExportConfig, Protocol, DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT,
    DEFAULT_MAX_REQUEST_SIZE, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT,
};
pub use error::Error;
pub use file::FileExporterBuilder;
pub use logs::{LogExporter, LogExporterBuilder};
pub use metric::{MetricExporter, MetricExporterBuilder};
pub use retry::RetryPolicy;
pub use span::{SpanExporter, SpanExporterBuilder};

#[cfg(feature = "grpc-tonic")]
pub use tonic;

pub(crate) type BoxFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
