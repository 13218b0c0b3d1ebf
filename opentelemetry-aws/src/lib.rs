//! AWS for OpenTelemetry.
//!
//! - [`XrayPropagator`] (feature `trace`): the `X-Amzn-Trace-Id` header of AWS X-Ray, so
//!   traces cross AWS load balancers, API Gateway, Lambda and services instrumented with the
//!   X-Ray SDKs.
//! - [`XrayIdGenerator`] (feature `trace`): trace IDs whose first 32 bits are the start time in
//!   epoch seconds, as X-Ray requires of the traces it ingests.
//! - Resource detectors (feature `detectors`, module [`detector`]): Lambda, EC2, ECS, EKS and
//!   Elastic Beanstalk. They run synchronously at start-up with short timeouts; on any other
//!   platform, or when an endpoint does not answer, they return an empty resource.
//!
//! ```
//! use opentelemetry_api::propagation::TextMapPropagator;
//! use opentelemetry_api::trace::TraceContextExt;
//! use opentelemetry_api::Context;
//! use opentelemetry_aws::{XrayIdGenerator, XrayPropagator};
//! use opentelemetry_sdk::trace::IdGenerator;
//! use std::collections::HashMap;
//!
//! let propagator = XrayPropagator::new();
//! let mut headers = HashMap::new();
//! headers.insert(
//!     "X-Amzn-Trace-Id".to_string(),
//!     "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".to_string(),
//! );
//! let cx = propagator.extract_with_context(&Context::new(), &headers);
//! assert_eq!(
//!     cx.span().span_context().trace_id().to_string(),
//!     "5759e988bd862e3fe1be46a994272793"
//! );
//!
//! let trace_id = XrayIdGenerator::default().new_trace_id();
//! assert!(trace_id.is_valid());
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "trace")]
mod id_generator;
#[cfg(feature = "trace")]
mod propagator;

#[cfg(feature = "detectors")]
pub mod detector;

#[cfg(feature = "trace")]
pub use id_generator::XrayIdGenerator;
#[cfg(feature = "trace")]
pub use propagator::{XrayPropagator, AWS_XRAY_TRACE_HEADER};
