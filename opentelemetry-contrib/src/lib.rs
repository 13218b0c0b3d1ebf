//! Extras for OpenTelemetry Rust:
//!
//! - [`propagator::OtTracePropagator`]: the OT trace format of the OpenTracing basic tracers
//!   (`ot-tracer-*` and `ot-baggage-*` headers), `ottrace` in `OTEL_PROPAGATORS`.
//! - [`propagator::BinaryPropagator`]: a span context in 29 bytes (the OpenCensus binary
//!   format).
//! - [`exporter::JaegerJsonExporter`]: spans as Jaeger JSON files that the Jaeger UI loads.
//!
//! ```
//! use opentelemetry_api::propagation::TextMapPropagator;
//! use opentelemetry_contrib::propagator::OtTracePropagator;
//! use std::collections::HashMap;
//!
//! let headers: HashMap<String, String> = HashMap::new();
//! let cx = OtTracePropagator::new().extract(&headers);
//! # drop(cx);
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod exporter;
pub mod propagator;
