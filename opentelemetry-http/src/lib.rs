//! The HTTP client abstraction OpenTelemetry exporters use, and carriers that propagate
//! context through [`http::HeaderMap`].
//!
//! Exporters (OTLP over HTTP, Zipkin, Jaeger's collector, vendors) send their requests through
//! an [`HttpClient`], so users pick the client their program already has:
//!
//! | feature | client |
//! |---|---|
//! | `reqwest` | `reqwest::Client` (async, needs a tokio runtime: wrap it in [`DedicatedThread`] when in doubt) |
//! | `reqwest-rustls` | the same with HTTPS through rustls (`ring` provider) |
//! | `reqwest-blocking` | `reqwest::blocking::Client` (no runtime; must not run inside one) |
//! | `hyper` | hyper's pooled `hyper_util::client::legacy::Client` (async, tokio) |
//! | `tokio-runtime` | [`DedicatedThread`], which drives any of them on its own thread |
//!
//! The SDK's exporters are polled by whatever drives the batch processor: a plain thread by
//! default, or tokio or async-std. A [`DedicatedThread`] makes any tokio-based client work
//! from all of them, without deadlock, and applies a per-request timeout.
//!
//! # Propagation
//!
//! ```
//! use opentelemetry_api::propagation::{TextMapPropagator, TraceContextPropagator};
//! use opentelemetry_api::Context;
//! use opentelemetry_http::{HeaderExtractor, HeaderInjector};
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap());
//! let propagator = TraceContextPropagator::new();
//! let cx = propagator.extract(&HeaderExtractor(&headers));
//!
//! let mut outgoing = http::HeaderMap::new();
//! propagator.inject_context(&cx, &mut HeaderInjector(&mut outgoing));
//! assert_eq!(outgoing["traceparent"], headers["traceparent"]);
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod carrier;
mod client;
#[cfg(feature = "tokio-runtime")]
mod dedicated;
#[cfg(feature = "hyper")]
mod hyper_client;
#[cfg(any(feature = "reqwest", feature = "reqwest-blocking"))]
mod reqwest_client;

pub use bytes::Bytes;
pub use carrier::{HeaderExtractor, HeaderInjector};
pub use client::{BoxFuture, HttpClient, HttpError};
#[cfg(feature = "tokio-runtime")]
pub use dedicated::{DedicatedThread, RuntimeThread};
pub use http;
#[cfg(feature = "hyper")]
pub use hyper_client::HyperClient;
#[cfg(all(feature = "hyper", unix))]
pub use hyper_client::UnixSocketClient;

/// Makes rustls's `ring` provider the process default, unless a provider is installed already.
///
/// reqwest (with `reqwest-rustls`) and tonic need a process-wide rustls provider before a
/// client is built; exporters call this before building theirs, and so can users who build
/// their own `reqwest::Client`. Calling it again, or after the application chose another
/// provider, changes nothing.
///
/// ```
/// opentelemetry_http::install_rustls_provider();
/// assert!(rustls::crypto::CryptoProvider::get_default().is_some());
/// ```
#[cfg(feature = "reqwest-rustls")]
pub fn install_rustls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one first: that one is used, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
