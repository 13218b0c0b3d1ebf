//! Zipkin for OpenTelemetry: a span exporter sending Zipkin v2 JSON or protobuf to a Zipkin
//! collector over HTTP, and the B3 propagator ([`propagator::B3Propagator`]).
//!
//! The exporter maps spans as the specification's Zipkin transformation says
//! (`specification/trace/sdk_exporters/zipkin.md`): the resource's `service.name` names the
//! local endpoint; client and producer spans get a remote endpoint from their peer attributes;
//! kinds map to Zipkin's (internal spans have none); attributes become string tags (arrays as
//! JSON lists); the status becomes `otel.status_code` and, for errors, `error`; the scope
//! becomes `otel.scope.name`/`otel.scope.version` (and their deprecated `otel.library.*`
//! aliases); events become annotations (`"name":{"key":"value"}` with attributes); dropped
//! counts become `otel.dropped_*_count` tags; times are whole microseconds.
//!
//! It is configured by its builder, then by `OTEL_EXPORTER_ZIPKIN_ENDPOINT` (default
//! `http://localhost:9411/api/v2/spans`) and `OTEL_EXPORTER_ZIPKIN_TIMEOUT` (milliseconds,
//! default 10000). By default it sends with hyper's client on its own thread (feature `hyper`),
//! so it works under any executor; any [`opentelemetry_http::HttpClient`] can be passed instead.
//!
//! ```no_run
//! use opentelemetry_api::trace::{Tracer, TracerProvider};
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use opentelemetry_sdk::Resource;
//!
//! let exporter = opentelemetry_zipkin::ZipkinExporter::builder().build()?;
//! let provider = SdkTracerProvider::builder()
//!     .with_resource(Resource::builder().with_service_name("checkout").build())
//!     .with_batch_exporter(exporter)
//!     .build();
//! provider.tracer("app").in_span("work", |_cx| {});
//! provider.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod exporter;
mod json;
mod model;
pub mod propagator;
mod proto;

pub use exporter::{
    ExporterBuildError, ZipkinEncoding, ZipkinExporter, ZipkinExporterBuilder,
    DEFAULT_COLLECTOR_ENDPOINT, DEFAULT_TIMEOUT, ENV_ENDPOINT, ENV_TIMEOUT,
};
pub use propagator::{B3Encoding, B3Propagator};
