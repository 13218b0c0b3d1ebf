//! An OpenTelemetry trace exporter to [Google Cloud Trace] (formerly Stackdriver Trace).
//!
//! [`StackdriverExporter`] turns the SDK's spans into Cloud Trace API v2 spans (the mapping
//! Google documents for OpenTelemetry: see [`Transformer`]) and writes them with
//! `google.devtools.cloudtrace.v2.TraceService/BatchWriteSpans` over gRPC. Access tokens come
//! from an [`Authorizer`]: a fixed token, a service account's key file, or the metadata server.
//!
//! ```no_run
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use opentelemetry_stackdriver::{ServiceAccountAuthorizer, StackdriverExporter};
//!
//! let auth = ServiceAccountAuthorizer::from_file("/secrets/key.json")?;
//! let project = auth.project_id().unwrap_or("my-project").to_owned();
//! let exporter = StackdriverExporter::builder(project).with_authorizer(auth).build()?;
//! let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `tls` (default) | HTTPS for the gRPC channel and the token requests (rustls, `ring`) |
//!
//! [Google Cloud Trace]: https://cloud.google.com/trace
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod error;
mod exporter;
pub mod proto;
mod transform;

pub use auth::{
    AuthError, Authorizer, BoxFuture, MetadataServerAuthorizer, ServiceAccountAuthorizer,
    StaticToken, DEFAULT_METADATA_HOST, DEFAULT_TOKEN_URI, TRACE_APPEND_SCOPE,
};
pub use error::Error;
pub use exporter::{
    StackdriverExporter, StackdriverExporterBuilder, DEFAULT_ENDPOINT, DEFAULT_TIMEOUT,
};
pub use transform::Transformer;
