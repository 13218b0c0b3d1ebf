//! The collector exporter: a `Batch` in the Thrift binary protocol, POSTed over HTTP.

use crate::model::{write_batch, write_span, Process};
use crate::thrift::Binary;
use crate::{env_var, Error};
use opentelemetry_api::otel_warn;
use opentelemetry_http::{Bytes, DedicatedThread, HttpClient, HyperClient};
use opentelemetry_sdk::trace::{BoxFuture, SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use std::sync::Arc;
use std::time::Duration;

/// The collector's default endpoint (Thrift over HTTP).
pub const DEFAULT_COLLECTOR_ENDPOINT: &str = "http://localhost:14268/api/traces";
/// The default export timeout.
pub const DEFAULT_COLLECTOR_TIMEOUT: Duration = Duration::from_secs(10);
/// The content type of the body.
const CONTENT_TYPE: &str = "application/x-thrift";

/// Exports spans to a Jaeger collector (or an OpenTelemetry Collector's `jaeger_thrift_http`
/// receiver): each batch is one `POST` of a Thrift binary `Batch`, with
/// `Content-Type: application/x-thrift` and optional basic authentication.
///
/// Requests go through an [`HttpClient`]: by default hyper's, driven by its own thread
/// ([`DedicatedThread`]), so the exporter works from any executor.
///
/// ```no_run
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let exporter = opentelemetry_jaeger::CollectorExporter::builder()
///     .with_endpoint("http://jaeger:14268/api/traces")
///     .with_basic_auth("user", "secret")
///     .build()
///     .expect("an HTTP client");
/// let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct CollectorExporter {
    client: Arc<dyn HttpClient>,
    endpoint: http::Uri,
    authorization: Option<http::HeaderValue>,
    process: Vec<u8>,
    seq_no: i64,
    shut_down: bool,
}

/// Configures a [`CollectorExporter`]. The defaults come from `OTEL_EXPORTER_JAEGER_ENDPOINT`
/// (else `http://localhost:14268/api/traces`), `OTEL_EXPORTER_JAEGER_TIMEOUT` (milliseconds,
/// else 10 s), `OTEL_EXPORTER_JAEGER_USER` and `OTEL_EXPORTER_JAEGER_PASSWORD`.
#[derive(Debug, Default)]
pub struct CollectorExporterBuilder {
    endpoint: Option<String>,
    timeout: Option<Duration>,
    user: Option<String>,
    password: Option<String>,
    client: Option<Arc<dyn HttpClient>>,
}

impl CollectorExporterBuilder {
    /// The collector's URL, e.g. `http://jaeger:14268/api/traces` (a URL without a path gets
    /// `/api/traces`).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The per-request timeout of the default client.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Basic authentication.
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self.password = Some(password.into());
        self
    }

    /// The HTTP client (default: [`HyperClient`] on a [`DedicatedThread`] with the timeout).
    /// A client given here applies its own timeout.
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// Builds the exporter.
    ///
    /// # Errors
    ///
    /// When the endpoint is not a valid URL or the default client cannot start.
    pub fn build(self) -> Result<CollectorExporter, Error> {
        let endpoint = self
            .endpoint
            .or_else(|| env_var("OTEL_EXPORTER_JAEGER_ENDPOINT"))
            .unwrap_or_else(|| DEFAULT_COLLECTOR_ENDPOINT.to_owned());
        let mut uri: http::Uri = endpoint
            .parse()
            .map_err(|e| Error::InvalidEndpoint(format!("{endpoint}: {e}")))?;
        if uri.scheme().is_none() || uri.authority().is_none() {
            return Err(Error::InvalidEndpoint(format!(
                "{endpoint}: needs a scheme and a host"
            )));
        }
        if uri.path() == "/" && uri.query().is_none() {
            uri = format!("{}api/traces", uri)
                .parse()
                .map_err(|e| Error::InvalidEndpoint(format!("{endpoint}: {e}")))?;
        }
        let user = self.user.or_else(|| env_var("OTEL_EXPORTER_JAEGER_USER"));
        let password = self
            .password
            .or_else(|| env_var("OTEL_EXPORTER_JAEGER_PASSWORD"));
        let authorization = match (user, password) {
            (None, None) => None,
            (user, password) => {
                let credentials = format!(
                    "{}:{}",
                    user.unwrap_or_default(),
                    password.unwrap_or_default()
                );
                let value = format!("Basic {}", base64(credentials.as_bytes()));
                let mut value = http::HeaderValue::from_str(&value)
                    .map_err(|e| Error::InvalidEndpoint(format!("credentials: {e}")))?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        let client = match self.client {
            Some(c) => c,
            None => {
                let timeout = self.timeout.unwrap_or_else(timeout_from_env);
                Arc::new(
                    DedicatedThread::new(HyperClient::new())
                        .map_err(Error::Io)?
                        .with_timeout(timeout),
                )
            }
        };
        let mut exporter = CollectorExporter {
            client,
            endpoint: uri,
            authorization,
            process: Vec::new(),
            seq_no: 0,
            shut_down: false,
        };
        exporter.set_resource(&Resource::default());
        Ok(exporter)
    }
}

fn timeout_from_env() -> Duration {
    match env_var("OTEL_EXPORTER_JAEGER_TIMEOUT") {
        None => DEFAULT_COLLECTOR_TIMEOUT,
        Some(v) => match v.parse::<u64>() {
            Ok(ms) => Duration::from_millis(ms),
            Err(_) => {
                otel_warn!(
                    "Env.InvalidJaegerTimeout",
                    "OTEL_EXPORTER_JAEGER_TIMEOUT={v:?} is not a number of milliseconds; using 10000"
                );
                DEFAULT_COLLECTOR_TIMEOUT
            }
        },
    }
}

/// Standard base64 with padding (for the basic authentication header).
fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl CollectorExporter {
    /// A builder with the defaults.
    pub fn builder() -> CollectorExporterBuilder {
        CollectorExporterBuilder::default()
    }

    /// The URL spans are posted to.
    pub fn endpoint(&self) -> &http::Uri {
        &self.endpoint
    }

    /// The request body for `batch`: a Thrift binary `Batch`.
    pub(crate) fn encode(&mut self, batch: &[SpanData]) -> Vec<u8> {
        let mut spans = Binary::default();
        for span in batch {
            write_span(&mut spans, span);
        }
        self.seq_no += 1;
        let mut body = Binary {
            buf: Vec::with_capacity(spans.buf.len() + self.process.len() + 32),
        };
        write_batch(
            &mut body,
            &self.process,
            &spans.buf,
            batch.len(),
            Some(self.seq_no),
            None,
        );
        body.buf
    }
}

impl SpanExporter for CollectorExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        if self.shut_down {
            return Box::pin(std::future::ready(Err(
                opentelemetry_sdk::Error::AlreadyShutdown,
            )));
        }
        let body = self.encode(batch);
        let mut request = http::Request::post(self.endpoint.clone())
            .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
            .body(Bytes::from(body));
        if let (Ok(req), Some(auth)) = (&mut request, &self.authorization) {
            req.headers_mut()
                .insert(http::header::AUTHORIZATION, auth.clone());
        }
        let client = Arc::clone(&self.client);
        Box::pin(async move {
            let request = request.map_err(|e| {
                opentelemetry_sdk::Error::ExportFailed(format!("building the request: {e}"))
            })?;
            let response = client.send_bytes(request).await.map_err(|e| {
                opentelemetry_sdk::Error::ExportFailed(format!("Jaeger collector: {e}"))
            })?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(opentelemetry_sdk::Error::ExportFailed(format!(
                    "Jaeger collector answered {}",
                    response.status()
                )))
            }
        })
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        self.shut_down = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        let mut p = Binary::default();
        Process::from_resource(resource).write(&mut p);
        self.process = p.buf;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn an_endpoint_without_path_gets_api_traces() {
        let e = CollectorExporter::builder()
            .with_endpoint("http://127.0.0.1:14268")
            .build()
            .unwrap();
        assert_eq!(
            e.endpoint().to_string(),
            "http://127.0.0.1:14268/api/traces"
        );
        assert!(CollectorExporter::builder()
            .with_endpoint("not a url")
            .build()
            .is_err());
    }
}
