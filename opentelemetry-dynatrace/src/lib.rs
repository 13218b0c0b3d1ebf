//! An OpenTelemetry metrics exporter to the
//! [Dynatrace metrics ingest API v2](https://docs.dynatrace.com/docs/extend-dynatrace/extend-metrics/reference/metric-ingestion-protocol)
//! (its line protocol).
//!
//! [`DynatraceExporter`] implements the SDK's
//! [`PushMetricExporter`](opentelemetry_sdk::metrics::PushMetricExporter): give it to a
//! [`PeriodicReader`](opentelemetry_sdk::metrics::PeriodicReader).
//!
//! ```no_run
//! use opentelemetry_api::metrics::MeterProvider;
//! use opentelemetry_dynatrace::DynatraceExporter;
//! use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
//!
//! // Without an endpoint, lines go to the local OneAgent (http://localhost:14499/metrics/ingest).
//! let exporter = DynatraceExporter::builder().with_prefix("shop").build().unwrap();
//! let provider = SdkMeterProvider::builder()
//!     .with_reader(PeriodicReader::builder(exporter).build())
//!     .build();
//! provider.meter("checkout").u64_counter("orders").build().add(1, &[]);
//! provider.shutdown().unwrap();
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
mod exporter;
mod histogram;
mod metadata;
mod normalize;
mod serialize;

pub use error::BuildError;
pub use exporter::{
    DynatraceExporter, DynatraceExporterBuilder, DEFAULT_ONEAGENT_ENDPOINT, DEFAULT_TIMEOUT,
    PAYLOAD_LINES_LIMIT,
};
