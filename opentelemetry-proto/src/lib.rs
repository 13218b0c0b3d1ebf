//! OTLP, the OpenTelemetry protocol: every message of its trace, metrics, logs, common,
//! resource and collector service definitions (v1.11.0 of `opentelemetry-proto`) as Rust
//! types encoded with [`prost`], and
//!
//! - with feature `with-serde`, the OTLP/JSON encoding through serde (hex trace and span IDs,
//!   integer enums, lowerCamelCase keys, 64-bit integers as strings);
//! - with feature `gen-tonic`, the gRPC clients and server traits of the three collector
//!   services, with tonic;
//! - with feature `sdk` (on by default), conversions from the SDK's span, metric and log data
//!   to the export requests, in [`transform`], and direct encoders from that data to the
//!   requests' protobuf and OTLP/JSON bytes (no intermediate messages), in [`encode`].
//!
//! The modules follow the protobuf packages: `opentelemetry.proto.trace.v1` is
//! [`trace::v1`], `opentelemetry.proto.collector.trace.v1` is [`collector::trace::v1`], and so
//! on. The `.proto` files the types follow ship in the crate's `proto/` directory.
//!
//! ```
//! use opentelemetry_proto::collector::trace::v1::ExportTraceServiceRequest;
//! use opentelemetry_proto::trace::v1::{ResourceSpans, ScopeSpans, Span};
//! use prost::Message;
//!
//! let request = ExportTraceServiceRequest {
//!     resource_spans: vec![ResourceSpans {
//!         scope_spans: vec![ScopeSpans {
//!             spans: vec![Span { name: "checkout".into(), ..Default::default() }],
//!             ..Default::default()
//!         }],
//!         ..Default::default()
//!     }],
//! };
//! let bytes = request.encode_to_vec();
//! assert_eq!(ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap(), request);
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod collector;
pub mod common;
pub mod logs;
pub mod metrics;
pub mod resource;
pub mod trace;

#[cfg(feature = "with-serde")]
mod json;

#[cfg(feature = "sdk")]
pub mod transform;

#[cfg(feature = "sdk")]
pub mod encode;

pub use prost;
