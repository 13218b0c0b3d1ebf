//! The OTLP log exporter.

use crate::builder::{build_destination, signal_builder, BuilderState};
use crate::config::Signal;
use crate::error::Error;
use crate::file::{Destination, FileExporterBuilder, LineWriter};
use crate::transport::Format;
use opentelemetry_proto::encode;
use opentelemetry_sdk::logs::LogData;
use opentelemetry_sdk::trace::BoxFuture;
use opentelemetry_sdk::Resource;

signal_builder!(LogExporterBuilder, "LogExporter");

impl<S: BuilderState> LogExporterBuilder<S> {
    /// Builds the exporter (starting its worker thread).
    pub fn build(self) -> Result<LogExporter, Error> {
        let destination = build_destination::<S>(&self.settings, Signal::Logs)?;
        Ok(LogExporter::new(destination))
    }
}

impl LogExporterBuilder<FileExporterBuilder> {
    /// Builds the file exporter (opening its file, if it writes to one).
    pub fn build(self) -> Result<LogExporter, Error> {
        let lines = LineWriter::open(self.state.output)?;
        Ok(LogExporter::new(Destination::Lines(lines)))
    }
}

/// Exports log records over OTLP: gRPC, HTTP/protobuf or HTTP/JSON; or as OTLP/JSON lines
/// (the OTLP file exporter).
///
/// ```
/// use opentelemetry_otlp::{LogExporter, WithExportConfig};
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
/// use std::time::Duration;
///
/// let exporter = LogExporter::builder()
///     .with_http()
///     .with_endpoint("http://localhost:4318/v1/logs")
///     .with_timeout(Duration::from_secs(3))
///     .build()?;
/// let provider = SdkLoggerProvider::builder().with_batch_exporter(exporter).build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
///
/// Each batch appended as one line of `LogsData` JSON to a file (created if missing):
///
/// ```no_run
/// use opentelemetry_otlp::LogExporter;
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
///
/// let exporter = LogExporter::builder().with_file("/var/log/app/logs.jsonl").build()?;
/// let provider = SdkLoggerProvider::builder().with_batch_exporter(exporter).build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
#[derive(Debug)]
pub struct LogExporter {
    destination: Option<Destination>,
    resource: Resource,
}

impl LogExporter {
    /// A builder.
    pub fn builder() -> LogExporterBuilder {
        LogExporterBuilder::default()
    }

    fn new(destination: Destination) -> Self {
        LogExporter {
            destination: Some(destination),
            resource: Resource::empty(),
        }
    }
}

impl opentelemetry_sdk::logs::LogExporter for LogExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let resource = &self.resource;
        Destination::export(
            &mut self.destination,
            batch.is_empty(),
            batch.len(),
            |format, out| match format {
                Format::Protobuf => encode::encode_logs(batch, resource, out),
                Format::Json => encode::encode_logs_json(batch, resource, out),
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
