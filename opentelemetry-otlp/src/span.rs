//! The OTLP span exporter.

use crate::builder::{build_destination, signal_builder, BuilderState};
use crate::config::Signal;
use crate::error::Error;
use crate::file::{Destination, FileExporterBuilder, LineWriter};
use crate::transport::Format;
use opentelemetry_proto::encode;
use opentelemetry_sdk::trace::{BoxFuture, SpanData};
use opentelemetry_sdk::Resource;

signal_builder!(SpanExporterBuilder, "SpanExporter");

impl<S: BuilderState> SpanExporterBuilder<S> {
    /// Builds the exporter (starting its worker thread).
    pub fn build(self) -> Result<SpanExporter, Error> {
        let destination = build_destination::<S>(&self.settings, Signal::Traces)?;
        Ok(SpanExporter::new(destination))
    }
}

impl SpanExporterBuilder<FileExporterBuilder> {
    /// Builds the file exporter (opening its file, if it writes to one).
    pub fn build(self) -> Result<SpanExporter, Error> {
        let lines = LineWriter::open(self.state.output)?;
        Ok(SpanExporter::new(Destination::Lines(lines)))
    }
}

/// Exports spans over OTLP: gRPC, HTTP/protobuf or HTTP/JSON; or as OTLP/JSON lines (the
/// OTLP file exporter).
///
/// ```
/// use opentelemetry_otlp::{SpanExporter, WithExportConfig};
/// use opentelemetry_sdk::trace::SdkTracerProvider;
/// use std::time::Duration;
///
/// let exporter = SpanExporter::builder()
///     .with_http()
///     .with_endpoint("http://localhost:4318/v1/traces")
///     .with_timeout(Duration::from_secs(3))
///     .build()?;
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
///
/// Each batch as one line of `TracesData` JSON on standard output:
///
/// ```
/// use opentelemetry_otlp::SpanExporter;
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let exporter = SpanExporter::builder().with_stdout().build()?;
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
#[derive(Debug)]
pub struct SpanExporter {
    destination: Option<Destination>,
    resource: Resource,
}

impl SpanExporter {
    /// A builder.
    pub fn builder() -> SpanExporterBuilder {
        SpanExporterBuilder::default()
    }

    fn new(destination: Destination) -> Self {
        SpanExporter {
            destination: Some(destination),
            resource: Resource::empty(),
        }
    }
}

impl opentelemetry_sdk::trace::SpanExporter for SpanExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let resource = &self.resource;
        Destination::export(
            &mut self.destination,
            batch.is_empty(),
            batch.len(),
            |format, out| match format {
                Format::Protobuf => encode::encode_traces(batch, resource, out),
                Format::Json => encode::encode_traces_json(batch, resource, out),
            },
        )
    }

    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        Destination::force_flush(&mut self.destination)
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        Destination::shutdown(&mut self.destination)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.clone();
    }
}
