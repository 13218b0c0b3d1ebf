//! # OpenTelemetry SDK for Rust
//!
//! The implementation behind [`opentelemetry_api`]: install its providers at start-up and
//! everything instrumented against the API records.
//!
//! ```
//! use opentelemetry_api::global;
//! use opentelemetry_api::trace::{Span, Tracer};
//! use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
//!
//! let exporter = InMemorySpanExporter::default();
//! let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
//! global::set_tracer_provider(provider.clone());
//!
//! global::tracer("my-app").start("hello").end();
//! provider.shutdown().unwrap();
//! assert_eq!(exporter.get_finished_spans()[0].name, "hello");
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
mod env;
mod error;
mod export;
pub mod logs;
pub mod metrics;
pub mod resource;
pub mod runtime;
mod self_observability;
pub mod trace;

pub use error::{Error, Result};
pub use resource::Resource;

// The README's snippets are doctested so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
