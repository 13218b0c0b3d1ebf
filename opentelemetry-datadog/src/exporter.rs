//! The span exporter: encodes batches and posts them to the agent's trace intake.

use crate::encode::{self, ApiVersion};
use crate::model::{FieldMappingFn, ModelConfig};
use opentelemetry_api::{otel_warn, Key, Value};
use opentelemetry_http::{http, Bytes, HttpClient};
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The agent's address when no variable or builder setting gives one.
const DEFAULT_AGENT_HOST: &str = "localhost";
const DEFAULT_AGENT_PORT: u16 = 8126;
/// Where the Datadog agent listens for traces on a Unix domain socket by default; used when
/// it exists and no agent address is configured.
pub const DEFAULT_AGENT_SOCKET: &str = "/var/run/datadog/apm.socket";
/// Per-request timeout of the default client.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The tracer version the agent is told.
const TRACER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why an exporter could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The agent address is not a valid `http://` URL.
    #[error("invalid Datadog agent endpoint {0:?}: {1}")]
    InvalidEndpoint(String, String),
    /// The default HTTP client's thread or runtime could not be started.
    #[error("could not start the HTTP client: {0}")]
    HttpClient(#[source] std::io::Error),
    /// No HTTP client was given and the default one is not compiled in (feature `hyper`).
    #[error("no HTTP client: pass one with `with_http_client` or enable the `hyper` feature")]
    NoHttpClient,
}

/// Exports spans to a Datadog agent's trace intake (`/v0.5/traces` by default, or
/// `/v0.4/traces`), as MessagePack over HTTP.
///
/// | Datadog field | from |
/// |---|---|
/// | `service` | [`DatadogExporterBuilder::with_service_name`], else `DD_SERVICE`, else the resource's `service.name` |
/// | `name` | [`DatadogExporterBuilder::with_name_mapping`], else `<scope name>.<span kind>` (`opentelemetry.<kind>` for an unnamed scope), e.g. `opentelemetry.server` |
/// | `resource` | [`DatadogExporterBuilder::with_resource_mapping`], else the span's name |
/// | `type` | the `span.type` attribute, else `web` (server), `sql`/`cache`/`db` (client with `db.system.name`), `http` (other clients), `custom` |
/// | `trace_id` | the low 64 bits of the trace ID; the high 64 bits go to the `_dd.p.tid` meta tag (16 hex digits) |
/// | `span_id`, `parent_id` | the span's and its parent's IDs (0 for a root) |
/// | `start`, `duration` | nanoseconds |
/// | `error` | 1 for an error status, with `error.message` (the status description, else the `exception` event's message), `error.type` and `error.stack` from the `exception` event |
/// | `meta` | string, boolean and array attributes (arrays as text), `span.kind`, `env` and `version` (builder, else `DD_ENV` and `DD_VERSION`, else the resource's `deployment.environment.name` and `service.version`), `_dd.origin` |
/// | `metrics` | integer and floating-point attributes, and `_sampling_priority_v1`: the priority the [`DatadogPropagator`](crate::DatadogPropagator) extracted, else 1 for a sampled span and 0 otherwise |
///
/// The agent's address is, in order: [`DatadogExporterBuilder::with_agent_endpoint`],
/// `DD_TRACE_AGENT_URL`, `http://$DD_AGENT_HOST:$DD_TRACE_AGENT_PORT` when either is set
/// (defaults `localhost` and `8126`), the agent's Unix domain socket
/// [`DEFAULT_AGENT_SOCKET`] when it exists, or `http://localhost:8126`; `unix:///path` URLs
/// name a Unix domain socket (sent over with
/// [`UnixSocketClient`](opentelemetry_http::UnixSocketClient)). Requests go through the [`HttpClient`] given to the builder, by
/// default hyper driven on a [`DedicatedThread`](opentelemetry_http::DedicatedThread) (so
/// exports work from any executor) with a 10 s timeout.
///
/// ```no_run
/// use opentelemetry_datadog::{ApiVersion, DatadogExporter};
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let exporter = DatadogExporter::builder()
///     .with_service_name("checkout")
///     .with_agent_endpoint("http://127.0.0.1:8126")
///     .with_api_version(ApiVersion::Version05)
///     .build()
///     .expect("valid endpoint");
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # drop(provider);
/// ```
pub struct DatadogExporter {
    client: Arc<dyn HttpClient>,
    uri: http::Uri,
    /// The agent's Unix domain socket, when the endpoint is a `unix://` URL.
    socket: Option<PathBuf>,
    version: ApiVersion,
    config: ModelConfig,
    service_set: bool,
    env_set: bool,
    version_set: bool,
    /// The size of the last payload, to preallocate the next one.
    size_hint: usize,
    is_shutdown: bool,
}

impl fmt::Debug for DatadogExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatadogExporter")
            .field("uri", &self.uri)
            .field("version", &self.version)
            .field("config", &self.config)
            .field("client", &self.client)
            .finish()
    }
}

impl DatadogExporter {
    /// A builder with the defaults described on [`DatadogExporter`].
    pub fn builder() -> DatadogExporterBuilder {
        DatadogExporterBuilder::default()
    }

    /// The URL spans are posted to (`http://localhost/...` over a Unix domain socket).
    pub fn endpoint(&self) -> &http::Uri {
        &self.uri
    }

    /// The agent's Unix domain socket, when the endpoint is a `unix://` URL.
    pub fn agent_socket(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    fn request(&self, batch: &[SpanData], size_hint: usize) -> http::Result<http::Request<Bytes>> {
        let payload = encode::encode(self.version, batch, &self.config, size_hint);
        http::Request::post(self.uri.clone())
            .header(http::header::CONTENT_TYPE, "application/msgpack")
            .header("Datadog-Meta-Lang", "rust")
            .header("Datadog-Meta-Tracer-Version", TRACER_VERSION)
            .header("X-Datadog-Trace-Count", payload.trace_count)
            .body(Bytes::from(payload.body))
    }
}

impl SpanExporter for DatadogExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        if self.is_shutdown {
            return Box::pin(std::future::ready(Err(
                opentelemetry_sdk::Error::AlreadyShutdown,
            )));
        }
        if batch.is_empty() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let request = match self.request(batch, self.size_hint) {
            Ok(r) => r,
            Err(e) => {
                return Box::pin(std::future::ready(Err(
                    opentelemetry_sdk::Error::ExportFailed(format!("building the request: {e}")),
                )))
            }
        };
        self.size_hint = request.body().len() + request.body().len() / 8;
        let client = &self.client;
        Box::pin(async move {
            let response = client.send_bytes(request).await.map_err(|e| {
                opentelemetry_sdk::Error::ExportFailed(format!("Datadog agent: {e}"))
            })?;
            if response.status().is_success() {
                Ok(())
            } else {
                let body = String::from_utf8_lossy(response.body());
                let body: String = body.chars().take(200).collect();
                Err(opentelemetry_sdk::Error::ExportFailed(format!(
                    "Datadog agent answered {}: {body}",
                    response.status()
                )))
            }
        })
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        if self.is_shutdown {
            return Err(opentelemetry_sdk::Error::AlreadyShutdown);
        }
        self.is_shutdown = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        use opentelemetry_semantic_conventions::attribute as semconv;
        let get = |key: &'static str| {
            resource
                .get(&Key::from_static_str(key))
                .map(Value::to_string)
                .filter(|s| !s.is_empty())
        };
        if !self.service_set {
            if let Some(service) = get(semconv::SERVICE_NAME) {
                self.config.service = service;
            }
        }
        if !self.env_set {
            // `deployment.environment` is its name before semantic conventions 1.27.
            self.config.env =
                get(semconv::DEPLOYMENT_ENVIRONMENT_NAME).or_else(|| get("deployment.environment"));
        }
        if !self.version_set {
            self.config.version = get(semconv::SERVICE_VERSION);
        }
    }
}

/// Builds a [`DatadogExporter`].
#[derive(Default)]
pub struct DatadogExporterBuilder {
    service: Option<String>,
    env: Option<String>,
    version: Option<String>,
    endpoint: Option<String>,
    api_version: ApiVersion,
    client: Option<Arc<dyn HttpClient>>,
    timeout: Option<Duration>,
    name_mapping: Option<Arc<FieldMappingFn>>,
    resource_mapping: Option<Arc<FieldMappingFn>>,
}

impl fmt::Debug for DatadogExporterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatadogExporterBuilder")
            .field("service", &self.service)
            .field("env", &self.env)
            .field("version", &self.version)
            .field("endpoint", &self.endpoint)
            .field("api_version", &self.api_version)
            .field("client", &self.client)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl DatadogExporterBuilder {
    /// The Datadog service of every span (default: `DD_SERVICE`, else the resource's
    /// `service.name`).
    pub fn with_service_name(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// The `env` tag (default: `DD_ENV`, else the resource's `deployment.environment.name`).
    pub fn with_env(mut self, env: impl Into<String>) -> Self {
        self.env = Some(env.into());
        self
    }

    /// The `version` tag (default: `DD_VERSION`, else the resource's `service.version`).
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The agent's base URL, e.g. `http://127.0.0.1:8126`, or its Unix domain socket as
    /// `unix:///var/run/datadog/apm.socket` (default: from `DD_TRACE_AGENT_URL`, or
    /// `DD_AGENT_HOST` and `DD_TRACE_AGENT_PORT`, else [`DEFAULT_AGENT_SOCKET`] if it exists,
    /// else `http://localhost:8126`). Over a socket, a client given to
    /// [`with_http_client`](Self::with_http_client) must connect to it itself (requests are
    /// addressed to `http://localhost/v0.5/traces`).
    pub fn with_agent_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The intake API version (default [`ApiVersion::Version05`]).
    pub fn with_api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = version;
        self
    }

    /// The HTTP client to send with, instead of the default hyper client on a dedicated
    /// thread. A client that needs an async runtime should be wrapped in a
    /// [`DedicatedThread`](opentelemetry_http::DedicatedThread) unless the exporter is
    /// driven inside that runtime.
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// The per-request timeout of the default client (default 10 s; a client given to
    /// [`with_http_client`](Self::with_http_client) applies its own).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Computes each span's Datadog operation name.
    ///
    /// ```
    /// use opentelemetry_datadog::DatadogExporter;
    /// use std::borrow::Cow;
    /// let builder = DatadogExporter::builder().with_name_mapping(|span| Cow::Borrowed(span.name.as_ref()));
    /// ```
    pub fn with_name_mapping<F>(mut self, f: F) -> Self
    where
        F: for<'a> Fn(&'a SpanData) -> Cow<'a, str> + Send + Sync + 'static,
    {
        self.name_mapping = Some(Arc::new(f));
        self
    }

    /// Computes each span's Datadog resource.
    pub fn with_resource_mapping<F>(mut self, f: F) -> Self
    where
        F: for<'a> Fn(&'a SpanData) -> Cow<'a, str> + Send + Sync + 'static,
    {
        self.resource_mapping = Some(Arc::new(f));
        self
    }

    /// Builds the exporter (and starts the default client's thread).
    pub fn build(self) -> Result<DatadogExporter, Error> {
        let base = match self.endpoint {
            Some(e) => e,
            None => agent_url_from_env(Path::new(DEFAULT_AGENT_SOCKET)),
        };
        let (uri, socket) = match base.strip_prefix("unix://") {
            Some(path) if !path.is_empty() => (
                // Over the socket the URL only names the path (and the `Host` header).
                intake_uri("http://localhost", self.api_version)?,
                Some(PathBuf::from(path)),
            ),
            Some(_) => {
                return Err(Error::InvalidEndpoint(
                    base.clone(),
                    "no socket path after unix://".to_owned(),
                ))
            }
            None => (intake_uri(&base, self.api_version)?, None),
        };
        let client = match self.client {
            Some(c) => c,
            None => default_client(self.timeout.unwrap_or(DEFAULT_TIMEOUT), socket.as_deref())?,
        };
        // Datadog's unified service tagging variables come after the builder, before the
        // resource.
        let service = self.service.or_else(|| env_var("DD_SERVICE"));
        let env = self.env.or_else(|| env_var("DD_ENV"));
        let version = self.version.or_else(|| env_var("DD_VERSION"));
        Ok(DatadogExporter {
            client,
            uri,
            socket,
            version: self.api_version,
            service_set: service.is_some(),
            env_set: env.is_some(),
            version_set: version.is_some(),
            config: ModelConfig {
                service: service.unwrap_or_else(|| "unknown_service".to_owned()),
                env,
                version,
                name_mapping: self.name_mapping,
                resource_mapping: self.resource_mapping,
            },
            size_hint: 0,
            is_shutdown: false,
        })
    }
}

#[cfg(feature = "hyper")]
fn default_client(timeout: Duration, socket: Option<&Path>) -> Result<Arc<dyn HttpClient>, Error> {
    use opentelemetry_http::DedicatedThread;
    if let Some(path) = socket {
        #[cfg(unix)]
        {
            let client = opentelemetry_http::UnixSocketClient::new(path);
            let client = DedicatedThread::new(client)
                .map_err(Error::HttpClient)?
                .with_timeout(timeout);
            return Ok(Arc::new(client));
        }
        #[cfg(not(unix))]
        return Err(Error::InvalidEndpoint(
            format!("unix://{}", path.display()),
            "Unix domain sockets need a Unix platform".to_owned(),
        ));
    }
    let client = DedicatedThread::new(opentelemetry_http::HyperClient::new())
        .map_err(Error::HttpClient)?
        .with_timeout(timeout);
    Ok(Arc::new(client))
}

#[cfg(not(feature = "hyper"))]
fn default_client(
    _timeout: Duration,
    _socket: Option<&Path>,
) -> Result<Arc<dyn HttpClient>, Error> {
    Err(Error::NoHttpClient)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The agent's base URL from `DD_TRACE_AGENT_URL`, else `DD_AGENT_HOST` and
/// `DD_TRACE_AGENT_PORT`, else `default_socket` when it exists (as a `unix://` URL), else
/// `http://localhost:8126`.
pub(crate) fn agent_url_from_env(default_socket: &Path) -> String {
    if let Some(url) = env_var("DD_TRACE_AGENT_URL") {
        return url;
    }
    if env_var("DD_AGENT_HOST").is_none()
        && env_var("DD_TRACE_AGENT_PORT").is_none()
        && default_socket.exists()
    {
        return format!("unix://{}", default_socket.display());
    }
    let host = env_var("DD_AGENT_HOST").unwrap_or_else(|| DEFAULT_AGENT_HOST.to_owned());
    let port = match env_var("DD_TRACE_AGENT_PORT") {
        None => DEFAULT_AGENT_PORT,
        Some(p) => p.parse::<u16>().unwrap_or_else(|_| {
            otel_warn!(
                "DatadogExporter.InvalidPort",
                "DD_TRACE_AGENT_PORT={p:?} is not a port number; using {DEFAULT_AGENT_PORT}"
            );
            DEFAULT_AGENT_PORT
        }),
    };
    // An IPv6 address needs brackets in a URL.
    if host.contains(':') && !host.starts_with('[') {
        format!("http://[{host}]:{port}")
    } else {
        format!("http://{host}:{port}")
    }
}

/// The intake URL: the base URL with the version's path appended.
fn intake_uri(base: &str, version: ApiVersion) -> Result<http::Uri, Error> {
    let invalid = |why: &str| Error::InvalidEndpoint(base.to_owned(), why.to_owned());
    let url = format!("{}{}", base.trim_end_matches('/'), version.path());
    let uri: http::Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(invalid("the scheme must be http or https")),
    }
    if uri.host().is_none() {
        return Err(invalid("no host"));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_http::HttpError;
    use std::sync::Mutex;

    /// Records requests and answers with a fixed status.
    #[derive(Debug)]
    struct Recorder {
        status: u16,
        requests: Mutex<Vec<http::Request<Bytes>>>,
    }

    impl HttpClient for Recorder {
        fn send_bytes(
            &self,
            request: http::Request<Bytes>,
        ) -> opentelemetry_http::BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
            self.requests.lock().unwrap().push(request);
            let mut response = http::Response::new(Bytes::from_static(b"nope"));
            *response.status_mut() = http::StatusCode::from_u16(self.status).unwrap();
            Box::pin(std::future::ready(Ok(response)))
        }
    }

    fn span() -> SpanData {
        use opentelemetry_api::trace::{
            SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
        };
        static SCOPE: std::sync::OnceLock<opentelemetry_api::InstrumentationScope> =
            std::sync::OnceLock::new();
        SpanData {
            span_context: SpanContext::new(
                TraceId::from(1u128),
                SpanId::from(2u64),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: "x".into(),
            start_time: std::time::UNIX_EPOCH,
            end_time: std::time::UNIX_EPOCH,
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: SCOPE
                .get_or_init(|| opentelemetry_api::InstrumentationScope::builder("t").build()),
        }
    }

    #[test]
    fn the_agent_socket_is_the_default_address_when_it_exists() {
        // No DD_* variable is set in the test environment.
        let dir = std::env::temp_dir().join(format!("otel-dd-default-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("apm.socket");
        let _ = std::fs::remove_file(&socket);
        assert_eq!(agent_url_from_env(&socket), "http://localhost:8126");
        std::fs::write(&socket, b"").unwrap();
        assert_eq!(
            agent_url_from_env(&socket),
            format!("unix://{}", socket.display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_given_client_sends_the_request_and_errors_fail_the_export() {
        for (status, ok) in [(200, true), (500, false)] {
            let client = Arc::new(Recorder {
                status,
                requests: Mutex::new(Vec::new()),
            });
            let mut exporter = DatadogExporter::builder()
                .with_agent_endpoint("http://agent:8126")
                .with_http_client(client.clone())
                .build()
                .unwrap();
            let batch = [span(), span()];
            let result = futures_executor::block_on(exporter.export(&batch));
            assert_eq!(result.is_ok(), ok, "{result:?}");
            if !ok {
                assert!(result.unwrap_err().to_string().contains("500"));
            }
            let requests = client.requests.lock().unwrap();
            let r = &requests[0];
            assert_eq!(r.uri(), "http://agent:8126/v0.5/traces");
            assert_eq!(r.method(), http::Method::POST);
            assert_eq!(r.headers()["content-type"], "application/msgpack");
            assert_eq!(r.headers()["x-datadog-trace-count"], "1");
            // [string table, traces]
            assert_eq!(r.body()[0], 0x92);
            // Empty batches send nothing.
            drop(requests);
            futures_executor::block_on(exporter.export(&[])).unwrap();
            assert_eq!(client.requests.lock().unwrap().len(), 1);
        }
    }

    #[test]
    fn intake_uri_appends_the_version_path() {
        assert_eq!(
            intake_uri("http://h:1/", ApiVersion::Version04)
                .unwrap()
                .to_string(),
            "http://h:1/v0.4/traces"
        );
        assert_eq!(
            intake_uri("http://h:1", ApiVersion::Version05)
                .unwrap()
                .to_string(),
            "http://h:1/v0.5/traces"
        );
        assert!(matches!(
            intake_uri("unix:///var/run/datadog/apm.socket", ApiVersion::Version05),
            Err(Error::InvalidEndpoint(..))
        ));
        assert!(intake_uri("not a url", ApiVersion::Version05).is_err());
    }
}
