//! The OTLP log exporter.

use crate::builder::{build_transport, signal_builder, BuilderState};
use crate::config::Signal;
use crate::error::Error;
use crate::transport::{Format, Transport};
use opentelemetry_proto::encode;
use opentelemetry_sdk::logs::LogData;
use opentelemetry_sdk::trace::BoxFuture;
use opentelemetry_sdk::Resource;

signal_builder!(LogExporterBuilder, "LogExporter");

impl<S: BuilderState> LogExporterBuilder<S> {
    /// Builds the exporter (starting its worker thread).
    pub fn build(self) -> Result<LogExporter, Error> {
        Ok(LogExporter {
            transport: Some(build_transport::<S>(&self.settings, Signal::Logs)?),
            resource: Resource::empty(),
        })
    }
}

/// Exports log records over OTLP: gRPC, HTTP/protobuf or HTTP/JSON.
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
#[derive(Debug)]
pub struct LogExporter {
    transport: Option<Transport>,
    resource: Resource,
}

impl LogExporter {
    /// A builder.
    pub fn builder() -> LogExporterBuilder {
        LogExporterBuilder::default()
    }
}

impl opentelemetry_sdk::logs::LogExporter for LogExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let Some(transport) = &self.transport else {
            return Box::pin(std::future::ready(Err(Error::Shutdown.into())));
        };
        let resource = &self.resource;
        let sent = transport.export(|format, out| match format {
            Format::Protobuf => encode::encode_logs(batch, resource, out),
            Format::Json => encode::encode_logs_json(batch, resource, out),
        });
        Box::pin(async move { sent.await.map_err(Into::into) })
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        match self.transport.take() {
            Some(_) => Ok(()),
            None => Err(opentelemetry_sdk::Error::AlreadyShutdown),
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = resource.clone();
    }
}
