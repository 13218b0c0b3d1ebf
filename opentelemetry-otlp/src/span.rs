//! The OTLP span exporter.

use crate::builder::{build_transport, signal_builder, BuilderState};
use crate::config::Signal;
use crate::error::Error;
use crate::transport::{Format, Transport};
use opentelemetry_proto::encode;
use opentelemetry_sdk::trace::{BoxFuture, SpanData};
use opentelemetry_sdk::Resource;

signal_builder!(SpanExporterBuilder, "SpanExporter");

impl<S: BuilderState> SpanExporterBuilder<S> {
    /// Builds the exporter (starting its worker thread).
    pub fn build(self) -> Result<SpanExporter, Error> {
        Ok(SpanExporter {
            transport: Some(build_transport::<S>(&self.settings, Signal::Traces)?),
            resource: Resource::empty(),
        })
    }
}

/// Exports spans over OTLP: gRPC, HTTP/protobuf or HTTP/JSON.
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
#[derive(Debug)]
pub struct SpanExporter {
    transport: Option<Transport>,
    resource: Resource,
}

impl SpanExporter {
    /// A builder.
    pub fn builder() -> SpanExporterBuilder {
        SpanExporterBuilder::default()
    }
}

impl opentelemetry_sdk::trace::SpanExporter for SpanExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let Some(transport) = &self.transport else {
            return Box::pin(std::future::ready(Err(Error::Shutdown.into())));
        };
        let resource = &self.resource;
        let sent = transport.export(|format, out| match format {
            Format::Protobuf => encode::encode_traces(batch, resource, out),
            Format::Json => encode::encode_traces_json(batch, resource, out),
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
