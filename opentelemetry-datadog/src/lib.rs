//! Datadog for OpenTelemetry: a span exporter to the Datadog agent's trace intake and the
//! Datadog (`x-datadog-*`) propagator.
//!
//! - [`DatadogExporter`] posts spans to the agent (`/v0.5/traces` or `/v0.4/traces`,
//!   MessagePack) through any [`HttpClient`](opentelemetry_http::HttpClient), by default hyper
//!   on a dedicated thread so that it works from any executor.
//! - [`DatadogPropagator`] reads and writes Datadog's headers, 128-bit trace IDs included
//!   (`_dd.p.tid`), and keeps the sampling priority and origin in the trace state, from where
//!   the exporter reports them.
//!
//! ```no_run
//! use opentelemetry_api::global;
//! use opentelemetry_api::trace::{Tracer, TracerProvider as _};
//! use opentelemetry_datadog::{DatadogExporter, DatadogPropagator};
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//!
//! global::set_text_map_propagator(DatadogPropagator::new());
//! let exporter = DatadogExporter::builder()
//!     .with_service_name("checkout")
//!     .build()
//!     .expect("valid agent address");
//! let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
//! provider.tracer("app").in_span("work", |_cx| {});
//! provider.shutdown().expect("spans exported");
//! ```
//!
//! Environment, unless the builder sets them: the agent at `DD_TRACE_AGENT_URL` (`http://` or
//! `unix://` for a Unix domain socket), else `DD_AGENT_HOST` (default `localhost`) and
//! `DD_TRACE_AGENT_PORT` (default `8126`), else the agent's socket
//! `/var/run/datadog/apm.socket` when it exists; `DD_SERVICE`, `DD_ENV` and `DD_VERSION`
//! before the resource's `service.name`, `deployment.environment.name` and `service.version`.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod dd_state;
mod encode;
mod exporter;
mod model;
mod msgpack;
mod propagator;

pub use encode::ApiVersion;
pub use exporter::{DatadogExporter, DatadogExporterBuilder, Error, DEFAULT_AGENT_SOCKET};
pub use model::FieldMappingFn;
pub use propagator::{sampling_priority, with_sampling_priority, DatadogPropagator};

/// Encodes a batch as the exporter would, for benchmarks and format tests; not a stable API.
#[doc(hidden)]
pub fn __encode_for_tests(
    version: ApiVersion,
    batch: &[opentelemetry_sdk::trace::SpanData],
    service: &str,
) -> Vec<u8> {
    let config = model::ModelConfig {
        service: service.to_owned(),
        ..model::ModelConfig::default()
    };
    encode::encode(version, batch, &config, 0).body
}
