//! # OpenTelemetry for Rust
//!
//! One dependency for everything: the whole API of [`opentelemetry_api`] is re-exported at
//! this crate's root, so `opentelemetry::trace::Tracer`, `opentelemetry::global` and
//! `opentelemetry::KeyValue` are the paths to use. The SDK is behind the `sdk` feature (as
//! `opentelemetry::sdk`, with [`autoconfig`](crate#for-an-application)), and each exporter
//! behind a feature of its name; a library never needs them.
//!
//! ## For an application
//!
//! Enable the `sdk` feature (and the feature of each exporter you want), then install
//! everything from the standard `OTEL_*` variables at start-up; the returned guard flushes
//! and shuts down when it is dropped:
//!
//! ```
//! # #[cfg(feature = "sdk")] {
//! let _telemetry = opentelemetry::autoconfig::AutoConfig::from_env()
//!     .with_default_exporter("none") // what to use for OTEL_*_EXPORTER left unset
//!     .install();
//! # }
//! ```
//!
//! ## For a library author
//!
//! Instrument against the API and take tracers from [`global`]. Until the application
//! installs an SDK every call is a cheap no-op that still passes the caller's span context
//! on; once it does, the same tracers start recording.
//!
//! ```
//! use opentelemetry::trace::{Span, TraceContextExt, Tracer};
//! use opentelemetry::{global, InstrumentationScope, KeyValue};
//!
//! fn load_config(path: &str) -> usize {
//!     let scope = InstrumentationScope::builder("my-library")
//!         .with_version(env!("CARGO_PKG_VERSION"))
//!         .build();
//!     let tracer = global::tracer_with_scope(scope);
//!     tracer.in_span("load-config", |cx| {
//!         let span = cx.span();
//!         span.set_attribute(KeyValue::new("config.path", path.to_string()));
//!         path.len()
//!     })
//! }
//!
//! assert_eq!(load_config("/etc/app.toml"), 13);
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The glob brings every public item of the API, modules (`context`, `global`, `trace`, and
// the signals added later) and exported macros included, so the facade never lags the API.
#[doc(inline)]
pub use opentelemetry_api::*;

/// The SDK: providers, processors, samplers and exporters (feature `sdk`).
#[cfg(feature = "sdk")]
#[cfg_attr(docsrs, doc(cfg(feature = "sdk")))]
pub use opentelemetry_sdk as sdk;

#[cfg(feature = "sdk")]
#[cfg_attr(docsrs, doc(cfg(feature = "sdk")))]
pub mod autoconfig;

/// AWS: the X-Ray propagator and ID generator, and the resource detectors (feature `aws`).
#[cfg(feature = "aws")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws")))]
pub use opentelemetry_aws as aws;
/// The OT trace and binary propagators and the Jaeger JSON file exporter (feature `contrib`).
#[cfg(feature = "contrib")]
#[cfg_attr(docsrs, doc(cfg(feature = "contrib")))]
pub use opentelemetry_contrib as contrib;
/// The Datadog exporter and propagator (feature `datadog`).
#[cfg(feature = "datadog")]
#[cfg_attr(docsrs, doc(cfg(feature = "datadog")))]
pub use opentelemetry_datadog as datadog;
/// The Jaeger exporters, propagator and remote sampler (feature `jaeger`).
#[cfg(feature = "jaeger")]
#[cfg_attr(docsrs, doc(cfg(feature = "jaeger")))]
pub use opentelemetry_jaeger as jaeger;
/// The OTLP exporters (feature `otlp`).
#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use opentelemetry_otlp as otlp;
/// The Prometheus exporter (feature `prometheus`).
#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub use opentelemetry_prometheus as prometheus;
/// The Zipkin exporter and the B3 propagator (feature `zipkin`).
#[cfg(feature = "zipkin")]
#[cfg_attr(docsrs, doc(cfg(feature = "zipkin")))]
pub use opentelemetry_zipkin as zipkin;

// Doctest the READMEs, so the snippets users copy first cannot rot. `cfg(doctest)` keeps the
// files out of normal builds (and out of a packaged crate, which would not contain them).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod workspace_readme {}

#[cfg(doctest)]
#[doc = include_str!("../../opentelemetry-api/README.md")]
mod api_readme {}
