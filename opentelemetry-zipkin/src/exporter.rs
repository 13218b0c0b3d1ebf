//! The span exporter: its builder, configuration from the environment, and the upload.

use crate::model::LocalEndpoint;
use crate::{json, proto};
use bytes::Bytes;
use opentelemetry_api::{otel_debug, otel_warn, Key};
use opentelemetry_http::HttpClient;
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use opentelemetry_semantic_conventions::attribute as semconv;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The collector endpoint when neither the builder nor `OTEL_EXPORTER_ZIPKIN_ENDPOINT` sets one.
pub const DEFAULT_COLLECTOR_ENDPOINT: &str = "http://localhost:9411/api/v2/spans";
/// The request timeout when neither the builder nor `OTEL_EXPORTER_ZIPKIN_TIMEOUT` sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(10_000);
/// The variable naming the collector endpoint.
pub const ENV_ENDPOINT: &str = "OTEL_EXPORTER_ZIPKIN_ENDPOINT";
/// The variable holding the request timeout in milliseconds.
pub const ENV_TIMEOUT: &str = "OTEL_EXPORTER_ZIPKIN_TIMEOUT";

/// The wire format of the spans sent to the collector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZipkinEncoding {
    /// Zipkin v2 JSON (`Content-Type: application/json`), the default.
    #[default]
    Json,
    /// Zipkin v2 protobuf, `ListOfSpans` of zipkin.proto (`Content-Type: application/x-protobuf`).
    Protobuf,
}

impl ZipkinEncoding {
    fn content_type(self) -> &'static str {
        match self {
            ZipkinEncoding::Json => "application/json",
            ZipkinEncoding::Protobuf => "application/x-protobuf",
        }
    }
}

/// Why an exporter could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExporterBuildError {
    /// The collector endpoint is not an absolute `http` or `https` URI.
    #[error("invalid Zipkin collector endpoint {endpoint:?}: {reason}")]
    InvalidUri {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No HTTP client was given and the `hyper` feature (the default client) is disabled.
    #[error("no HTTP client: pass one with `with_http_client` or enable the `hyper` feature")]
    NoHttpClient,
    /// The default client's thread could not be started.
    #[error("could not start the HTTP client's thread: {0}")]
    ClientThread(#[source] std::io::Error),
}

/// Builds a [`ZipkinExporter`]; start with [`ZipkinExporter::builder`].
#[derive(Debug, Default)]
pub struct ZipkinExporterBuilder {
    endpoint: Option<String>,
    timeout: Option<Duration>,
    client: Option<Arc<dyn HttpClient>>,
    service_address: Option<SocketAddr>,
    encoding: ZipkinEncoding,
}

impl ZipkinExporterBuilder {
    /// The collector's span endpoint (default: `OTEL_EXPORTER_ZIPKIN_ENDPOINT`, else
    /// [`DEFAULT_COLLECTOR_ENDPOINT`]).
    pub fn with_collector_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The request timeout of the default client (default: `OTEL_EXPORTER_ZIPKIN_TIMEOUT`
    /// milliseconds, else [`DEFAULT_TIMEOUT`]). A client passed with
    /// [`with_http_client`](Self::with_http_client) applies its own timeouts.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends through `client` instead of the default (hyper's client on a
    /// [`DedicatedThread`](opentelemetry_http::DedicatedThread)).
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// The address of this service, reported in every span's local endpoint.
    pub fn with_service_address(mut self, address: SocketAddr) -> Self {
        self.service_address = Some(address);
        self
    }

    /// The wire format (default [`ZipkinEncoding::Json`]).
    pub fn with_encoding(mut self, encoding: ZipkinEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Builds the exporter.
    ///
    /// # Errors
    ///
    /// When the endpoint is not a valid `http`/`https` URI, or no client is available.
    pub fn build(self) -> Result<ZipkinExporter, ExporterBuildError> {
        let endpoint = self
            .endpoint
            .or_else(|| env_var(ENV_ENDPOINT))
            .unwrap_or_else(|| DEFAULT_COLLECTOR_ENDPOINT.to_owned());
        let uri = parse_endpoint(&endpoint)?;
        let timeout = self.timeout.unwrap_or_else(env_timeout);
        let client = match self.client {
            Some(client) => client,
            None => default_client(timeout)?,
        };
        let local = LocalEndpoint {
            ip: self.service_address.map(|a| a.ip()),
            port: self.service_address.map(|a| a.port()).filter(|p| *p != 0),
            ..LocalEndpoint::default()
        };
        Ok(ZipkinExporter {
            client,
            uri,
            encoding: self.encoding,
            local,
            resource_seen: false,
            last_size: 0,
            shut_down: false,
        })
    }
}

#[cfg(feature = "hyper")]
fn default_client(timeout: Duration) -> Result<Arc<dyn HttpClient>, ExporterBuildError> {
    let client = opentelemetry_http::DedicatedThread::new(opentelemetry_http::HyperClient::new())
        .map_err(ExporterBuildError::ClientThread)?
        .with_timeout(timeout);
    Ok(Arc::new(client))
}

#[cfg(not(feature = "hyper"))]
fn default_client(_timeout: Duration) -> Result<Arc<dyn HttpClient>, ExporterBuildError> {
    Err(ExporterBuildError::NoHttpClient)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `OTEL_EXPORTER_ZIPKIN_TIMEOUT`: a positive number of milliseconds; anything else is
/// reported and the default used.
fn env_timeout() -> Duration {
    match env_var(ENV_TIMEOUT) {
        None => DEFAULT_TIMEOUT,
        Some(v) => match v.parse::<u64>() {
            Ok(ms) if ms > 0 => Duration::from_millis(ms),
            _ => {
                otel_warn!(
                    "ZipkinExporter.InvalidTimeout",
                    "{ENV_TIMEOUT}={v:?} is not a positive number of milliseconds; using {} ms",
                    DEFAULT_TIMEOUT.as_millis()
                );
                DEFAULT_TIMEOUT
            }
        },
    }
}

fn parse_endpoint(endpoint: &str) -> Result<http::Uri, ExporterBuildError> {
    let invalid = |reason: String| ExporterBuildError::InvalidUri {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let uri: http::Uri = endpoint.parse().map_err(|e| invalid(format!("{e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some() => Ok(uri),
        _ => Err(invalid("an absolute http or https URI is required".into())),
    }
}

/// Exports spans to a Zipkin collector (`POST /api/v2/spans`) as Zipkin v2 JSON or protobuf,
/// mapped as the specification's Zipkin transformation says.
///
/// The local endpoint's service name is the resource's `service.name` (the default resource's
/// when the provider's has none); a client or producer span gets a remote endpoint from its
/// peer attributes (`peer.service`, `server.address`, ... in the specification's order).
///
/// ```no_run
/// use opentelemetry_sdk::trace::SdkTracerProvider;
/// use opentelemetry_zipkin::{ZipkinEncoding, ZipkinExporter};
///
/// let exporter = ZipkinExporter::builder()
///     .with_collector_endpoint("http://localhost:9411/api/v2/spans")
///     .with_encoding(ZipkinEncoding::Json)
///     .build()?;
/// let provider = SdkTracerProvider::builder()
///     .with_batch_exporter(exporter)
///     .build();
/// # drop(provider);
/// # Ok::<(), opentelemetry_zipkin::ExporterBuildError>(())
/// ```
pub struct ZipkinExporter {
    client: Arc<dyn HttpClient>,
    uri: http::Uri,
    encoding: ZipkinEncoding,
    local: LocalEndpoint,
    resource_seen: bool,
    /// The size of the last request body, to size the next one's buffer.
    last_size: usize,
    shut_down: bool,
}

impl fmt::Debug for ZipkinExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZipkinExporter")
            .field("endpoint", &self.uri)
            .field("encoding", &self.encoding)
            .field("service_name", &self.local.service_name)
            .field("client", &self.client)
            .finish()
    }
}

impl ZipkinExporter {
    /// A builder, configured from the environment until its methods say otherwise.
    pub fn builder() -> ZipkinExporterBuilder {
        ZipkinExporterBuilder::default()
    }

    /// The collector endpoint in use.
    pub fn endpoint(&self) -> &http::Uri {
        &self.uri
    }

    /// Encodes `batch` in the configured format: the request body this exporter sends.
    pub fn encode(&mut self, batch: &[SpanData]) -> Bytes {
        if !self.resource_seen {
            self.set_resource(&Resource::default());
        }
        let body = match self.encoding {
            ZipkinEncoding::Json => {
                let mut out = String::with_capacity(self.last_size.max(256));
                json::encode(&mut out, batch, &self.local);
                out.into_bytes()
            }
            ZipkinEncoding::Protobuf => {
                let mut out = Vec::with_capacity(self.last_size);
                proto::encode(&mut out, batch, &self.local);
                out
            }
        };
        self.last_size = body.len();
        Bytes::from(body)
    }
}

impl SpanExporter for ZipkinExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        if self.shut_down {
            return Box::pin(std::future::ready(Err(
                opentelemetry_sdk::Error::AlreadyShutdown,
            )));
        }
        if batch.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let body = self.encode(batch);
        let request = http::Request::post(self.uri.clone())
            .header(http::header::CONTENT_TYPE, self.encoding.content_type())
            .body(body);
        let client = Arc::clone(&self.client);
        let spans = batch.len();
        Box::pin(async move {
            let request = request
                .map_err(|e| opentelemetry_sdk::Error::ExportFailed(format!("Zipkin: {e}")))?;
            let response = client
                .send_bytes(request)
                .await
                .map_err(|e| opentelemetry_sdk::Error::ExportFailed(format!("Zipkin: {e}")))?;
            let status = response.status();
            if status.is_success() {
                otel_debug!("ZipkinExporter.Exported", "{spans} spans sent ({status})");
                Ok(())
            } else {
                let body = response.body();
                let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
                Err(opentelemetry_sdk::Error::ExportFailed(format!(
                    "Zipkin collector answered {status}: {text}"
                )))
            }
        })
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        if self.shut_down {
            return Err(opentelemetry_sdk::Error::AlreadyShutdown);
        }
        self.shut_down = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource_seen = true;
        let service_name = Key::from_static_str(semconv::SERVICE_NAME);
        self.local.service_name = match resource.get(&service_name) {
            Some(name) => name.as_str().into_owned(),
            // The specification: without `service.name`, the default resource's.
            None => Resource::default()
                .get(&service_name)
                .map(|name| name.as_str().into_owned())
                .unwrap_or_default(),
        };
        self.local.service_namespace = resource
            .get(&Key::from_static_str(semconv::SERVICE_NAMESPACE))
            .map(|ns| ns.as_str().into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_must_be_absolute_http_uris() {
        assert!(parse_endpoint("http://localhost:9411/api/v2/spans").is_ok());
        assert!(parse_endpoint("https://zipkin.example/api/v2/spans").is_ok());
        for bad in ["/api/v2/spans", "ftp://host/x", "not a uri", "http://"] {
            assert!(
                matches!(
                    parse_endpoint(bad),
                    Err(ExporterBuildError::InvalidUri { .. })
                ),
                "{bad}"
            );
        }
    }
}
