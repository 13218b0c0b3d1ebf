//! # OpenTelemetry API for Rust
//!
//! The traits and types a library instruments against: [`Context`], [`baggage`],
//! [`propagation`], [`trace`], [`metrics`] and [`logs`], and the [`global`] providers. Without
//! an SDK everything is a no-op that costs a few nanoseconds and allocates nothing; install
//! an SDK's providers in the application and the same calls start recording.
//!
//! ```
//! use opentelemetry_api::trace::{Span, Tracer};
//! use opentelemetry_api::{global, KeyValue};
//!
//! let tracer = global::tracer("my-library");
//! let mut span = tracer.start("load-config");
//! span.set_attribute(KeyValue::new("config.path", "/etc/app.toml"));
//! span.end();
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod baggage;
mod common;
pub mod context;
mod error;
pub mod global;
pub mod json;
pub mod logs;
pub mod metrics;
pub mod propagation;
pub mod trace;

pub use common::{
    AnyValue, Array, InstrumentationScope, InstrumentationScopeBuilder, Key, KeyValue, StringValue,
    Value,
};
pub use context::{Context, ContextGuard};
pub use error::{Error, Result};
