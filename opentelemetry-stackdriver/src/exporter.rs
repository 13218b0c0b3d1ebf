//! The span exporter and its builder.

use crate::auth::Authorizer;
use crate::client::{ClientConfig, TraceClient};
use crate::error::Error;
use crate::transform::Transformer;
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use std::sync::Arc;
use std::time::Duration;

/// Cloud Trace's endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://cloudtrace.googleapis.com";

/// How long a batch may take, token included, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Exports spans to Google Cloud Trace with `BatchWriteSpans` (API v2, gRPC).
///
/// The gRPC client runs on a thread of its own with its own tokio runtime, so exports work
/// from the SDK's background thread (no runtime), from inside tokio, or from any executor.
///
/// ```
/// use opentelemetry_sdk::trace::SdkTracerProvider;
/// use opentelemetry_stackdriver::{StackdriverExporter, StaticToken};
///
/// let exporter = StackdriverExporter::builder("my-project")
///     .with_authorizer(StaticToken::new("ya29.token"))
///     .build()?;
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # drop(provider);
/// # Ok::<(), opentelemetry_stackdriver::Error>(())
/// ```
#[derive(Debug)]
pub struct StackdriverExporter {
    client: Option<TraceClient>,
    transformer: Transformer,
}

impl StackdriverExporter {
    /// A builder for an exporter writing to `project_id`.
    pub fn builder(project_id: impl Into<String>) -> StackdriverExporterBuilder {
        StackdriverExporterBuilder {
            project_id: project_id.into(),
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            quota_project: None,
            authorizer: None,
        }
    }
}

/// Configures a [`StackdriverExporter`].
#[derive(Debug)]
pub struct StackdriverExporterBuilder {
    project_id: String,
    endpoint: String,
    timeout: Duration,
    quota_project: Option<String>,
    authorizer: Option<Arc<dyn Authorizer>>,
}

impl StackdriverExporterBuilder {
    /// Sends to `endpoint` (`https://host[:port]`, or `http://` for a local emulator or
    /// test server) instead of [`DEFAULT_ENDPOINT`].
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// Gives up on a batch after `timeout` (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Bills the calls to `project` (sent as `x-goog-user-project`).
    pub fn with_quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }

    /// Takes access tokens from `authorizer`. Without one, no `authorization` is sent (for
    /// emulators).
    pub fn with_authorizer(mut self, authorizer: impl Authorizer) -> Self {
        self.authorizer = Some(Arc::new(authorizer));
        self
    }

    /// Starts the client's thread; the connection is made with the first batch.
    ///
    /// # Errors
    ///
    /// When the endpoint or a header value is invalid, or the thread cannot start.
    pub fn build(self) -> Result<StackdriverExporter, Error> {
        let transformer = Transformer::new(self.project_id.clone(), &Resource::empty());
        let client = TraceClient::start(ClientConfig {
            endpoint: self.endpoint,
            timeout: self.timeout,
            project_id: self.project_id,
            quota_project: self.quota_project,
            authorizer: self.authorizer,
        })?;
        Ok(StackdriverExporter {
            client: Some(client),
            transformer,
        })
    }
}

impl SpanExporter for StackdriverExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let Some(client) = &self.client else {
            return Box::pin(std::future::ready(Err(
                opentelemetry_sdk::Error::AlreadyShutdown,
            )));
        };
        if batch.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let request = self.transformer.request(batch);
        Box::pin(async move {
            client.send(request).await.map_err(|e| {
                opentelemetry_api::otel_warn!(
                    "StackdriverExporter.ExportFailed",
                    "BatchWriteSpans failed: {}",
                    e
                );
                opentelemetry_sdk::Error::ExportFailed(e.to_string())
            })
        })
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        // Dropping the client ends its thread once queued batches are handed over.
        match self.client.take() {
            Some(_) => Ok(()),
            None => Err(opentelemetry_sdk::Error::AlreadyShutdown),
        }
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.transformer = Transformer::new(self.transformer.project_id().to_owned(), resource);
    }
}
