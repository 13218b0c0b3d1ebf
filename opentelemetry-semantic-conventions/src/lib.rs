//! # OpenTelemetry semantic conventions for Rust
//!
//! Names for telemetry that every OpenTelemetry implementation agrees on: attribute keys and
//! their well-known values, metric names and event names, as constants generated from the
//! [semantic conventions](https://opentelemetry.io/docs/specs/semconv/) model (the version
//! is in [`SCHEMA_URL`]).
//!
//! - [`attribute`]: `attribute::HTTP_REQUEST_METHOD` is `"http.request.method"`; an enum
//!   attribute has a module of its values, `attribute::http_request_method::GET` is `"GET"`.
//! - [`metric`]: `metric::HTTP_SERVER_REQUEST_DURATION` is `"http.server.request.duration"`,
//!   documented with its instrument and unit.
//! - [`event`]: `event::EXCEPTION` is `"exception"`.
//!
//! Only stable conventions are available by default. The rest (development, release
//! candidate) need the `semconv_experimental` feature, since they may change in any release
//! of the conventions. Deprecated conventions are `#[deprecated]` and name their replacement.
//!
//! ```
//! use opentelemetry_semantic_conventions::{attribute, metric};
//!
//! let method = (attribute::HTTP_REQUEST_METHOD, attribute::http_request_method::GET);
//! assert_eq!(method, ("http.request.method", "GET"));
//! assert_eq!(metric::HTTP_SERVER_REQUEST_DURATION, "http.server.request.duration");
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod attribute;
pub mod event;
pub mod metric;
mod schema;

pub use schema::SCHEMA_URL;

// The README's snippets are doctested so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
