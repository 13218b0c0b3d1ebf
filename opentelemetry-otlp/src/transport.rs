//! The transports: one [`Transport`] per exporter, sending encoded export requests over
//! OTLP/HTTP or OTLP/gRPC on the exporter's worker thread, with retries.

use crate::config::{self, Compression, Protocol, Settings, Signal};
use crate::error::Error;
use crate::retry::{self, Attempt, RetryPolicy};
use bytes::Bytes;
use opentelemetry_api::otel_warn;
use opentelemetry_http::HttpClient;
use opentelemetry_http::RuntimeThread;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The `User-Agent` of export requests.
const USER_AGENT: &str = concat!("OTel-OTLP-Exporter-Rust/", env!("CARGO_PKG_VERSION"));

/// The encoding of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Protobuf,
    /// OTLP/JSON (only asked for with feature `http-json`).
    Json,
}

/// A built transport.
#[derive(Debug)]
pub(crate) struct Transport {
    worker: RuntimeThread,
    #[cfg_attr(not(feature = "grpc-tonic"), allow(dead_code))]
    signal: Signal,
    timeout: Duration,
    retry: RetryPolicy,
    kind: Kind,
    /// The size of the last encoded request: the capacity the next one starts with.
    last_len: AtomicUsize,
}

#[derive(Debug)]
enum Kind {
    Http(Arc<HttpSender>),
    #[cfg(feature = "grpc-tonic")]
    Grpc(grpc::GrpcSender),
}

impl Transport {
    /// Builds the transport for `protocol` from the builder's settings and the environment.
    pub(crate) fn build(
        settings: &Settings,
        signal: Signal,
        protocol: Protocol,
    ) -> Result<Self, Error> {
        let worker = RuntimeThread::start(match signal {
            Signal::Traces => "otel-otlp-traces",
            Signal::Metrics => "otel-otlp-metrics",
            Signal::Logs => "otel-otlp-logs",
        })?;
        let timeout = config::resolve_timeout(settings, signal);
        let compression = config::resolve_compression(settings, signal);
        let headers = config::resolve_headers(settings, signal);
        let retry = settings.retry.unwrap_or_default();
        let kind = match protocol {
            Protocol::HttpBinary | Protocol::HttpJson => {
                if protocol == Protocol::HttpJson && cfg!(not(feature = "http-json")) {
                    return Err(Error::UnsupportedProtocol("http/json"));
                }
                let url = config::resolve_http_endpoint(settings, signal)?;
                Kind::Http(Arc::new(HttpSender::new(
                    settings,
                    signal,
                    url,
                    headers,
                    compression,
                    protocol == Protocol::HttpJson,
                )?))
            }
            #[cfg(feature = "grpc-tonic")]
            Protocol::Grpc => {
                let endpoint = config::resolve_grpc_endpoint(settings, signal)?;
                Kind::Grpc(grpc::GrpcSender::new(
                    settings,
                    signal,
                    &worker,
                    &endpoint,
                    headers,
                    compression,
                    timeout,
                )?)
            }
            #[cfg(not(feature = "grpc-tonic"))]
            Protocol::Grpc => return Err(Error::UnsupportedProtocol("grpc")),
        };
        Ok(Transport {
            worker,
            signal,
            timeout,
            retry,
            kind,
            last_len: AtomicUsize::new(0),
        })
    }

    /// Encodes a request with `encode` (on the caller's thread: it appends the request in the
    /// format asked for to the buffer) and sends it on the worker, with retries.
    pub(crate) fn export(
        &self,
        encode: impl FnOnce(Format, &mut Vec<u8>),
    ) -> impl Future<Output = Result<(), Error>> + Send + 'static {
        let policy = self.retry;
        let timeout = self.timeout;
        // Requests of one exporter are usually of similar sizes: start where the last ended,
        // with some room, rather than growing from empty.
        let last = self.last_len.load(Ordering::Relaxed);
        let mut raw = Vec::with_capacity(last + last / 8);
        let job: Result<crate::BoxFuture<'static, Result<(), Error>>, Error> = match &self.kind {
            Kind::Http(sender) => {
                encode(
                    if sender.json {
                        Format::Json
                    } else {
                        Format::Protobuf
                    },
                    &mut raw,
                );
                self.last_len.store(raw.len(), Ordering::Relaxed);
                sender.compress(raw).map(|body| {
                    let sender = Arc::clone(sender);
                    Box::pin(async move {
                        retry::with_retries(policy, timeout, |_| sender.attempt(body.clone())).await
                    }) as crate::BoxFuture<'static, _>
                })
            }
            #[cfg(feature = "grpc-tonic")]
            Kind::Grpc(sender) => {
                encode(Format::Protobuf, &mut raw);
                self.last_len.store(raw.len(), Ordering::Relaxed);
                let body = Bytes::from(raw);
                let sender = sender.clone();
                let signal = self.signal;
                Ok(Box::pin(async move {
                    retry::with_retries(policy, timeout, |left| {
                        sender.clone().attempt(signal, body.clone(), left)
                    })
                    .await
                }) as crate::BoxFuture<'static, _>)
            }
        };
        let running = job.map(|job| self.worker.run(job));
        async move {
            match running {
                // `None`: the worker thread stopped before the export finished.
                Ok(running) => running.await.unwrap_or(Err(Error::Shutdown)),
                Err(e) => Err(e),
            }
        }
    }
}

/// Reports a partial success (rejected items or a warning message) through diagnostics.
pub(crate) fn report_partial_success(signal: Signal, rejected: i64, message: &str) {
    if rejected > 0 || !message.is_empty() {
        otel_warn!(
            "Otlp.PartialSuccess",
            "the receiver rejected {rejected} {} of the export: {message}",
            match signal {
                Signal::Traces => "span(s)",
                Signal::Metrics => "data point(s)",
                Signal::Logs => "log record(s)",
            }
        );
    }
}

/// Reads the partial success of an export response (protobuf, or OTLP/JSON).
pub(crate) fn partial_success(signal: Signal, body: &[u8], json: bool) -> Option<(i64, String)> {
    use opentelemetry_proto::collector::{logs, metrics, trace};
    use prost::Message;
    if body.is_empty() {
        return None;
    }
    macro_rules! read {
        ($response:ty, $field:ident) => {{
            let response: $response = if json {
                #[cfg(feature = "http-json")]
                {
                    serde_json::from_slice(body).ok()?
                }
                #[cfg(not(feature = "http-json"))]
                {
                    return None;
                }
            } else {
                <$response>::decode(body).ok()?
            };
            response
                .partial_success
                .map(|p| (p.$field, p.error_message))
        }};
    }
    match signal {
        Signal::Traces => read!(trace::v1::ExportTraceServiceResponse, rejected_spans),
        Signal::Metrics => read!(
            metrics::v1::ExportMetricsServiceResponse,
            rejected_data_points
        ),
        Signal::Logs => read!(logs::v1::ExportLogsServiceResponse, rejected_log_records),
    }
}

/// OTLP/HTTP: POSTs encoded requests through an [`HttpClient`].
#[derive(Debug)]
pub(crate) struct HttpSender {
    client: Arc<dyn HttpClient>,
    url: http::Uri,
    headers: http::HeaderMap,
    compression: Option<Compression>,
    json: bool,
    signal: Signal,
}

impl HttpSender {
    fn new(
        settings: &Settings,
        signal: Signal,
        url: String,
        headers: Vec<(String, String)>,
        compression: Option<Compression>,
        json: bool,
    ) -> Result<Self, Error> {
        let url: http::Uri = config::check_url(&url)?;
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            let name = http::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| Error::InvalidHeader(k.clone()))?;
            let value = http::HeaderValue::from_str(&v).map_err(|_| Error::InvalidHeader(k))?;
            map.insert(name, value);
        }
        map.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(if json {
                "application/json"
            } else {
                "application/x-protobuf"
            }),
        );
        map.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        );
        if compression == Some(Compression::Gzip) {
            map.insert(
                http::header::CONTENT_ENCODING,
                http::HeaderValue::from_static("gzip"),
            );
        }
        let client = match &settings.http_client {
            Some(c) => Arc::clone(c),
            None => default_http_client(signal)?,
        };
        Ok(HttpSender {
            client,
            url,
            headers: map,
            compression,
            json,
            signal,
        })
    }

    /// The body for an encoded request: compressed when configured.
    fn compress(&self, raw: Vec<u8>) -> Result<Bytes, Error> {
        Ok(match self.compression {
            Some(Compression::Gzip) => {
                use std::io::Write;
                let mut gz = flate2::write::GzEncoder::new(
                    Vec::with_capacity(raw.len() / 4 + 64),
                    flate2::Compression::default(),
                );
                gz.write_all(&raw)
                    .map_err(|e| Error::Encode(e.to_string()))?;
                Bytes::from(gz.finish().map_err(|e| Error::Encode(e.to_string()))?)
            }
            None => Bytes::from(raw),
        })
    }

    async fn attempt(&self, body: Bytes) -> Attempt {
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.url.clone();
        *request.headers_mut() = self.headers.clone();
        let response = match self.client.send_bytes(request).await {
            Ok(r) => r,
            // Connection refused or reset, timeouts: the receiver may come back.
            Err(e) => {
                return Attempt::Retry {
                    reason: e.to_string(),
                    after: None,
                }
            }
        };
        let status = response.status();
        if status.is_success() {
            if let Some((rejected, message)) =
                partial_success(self.signal, response.body(), self.json)
            {
                report_partial_success(self.signal, rejected, &message);
            }
            return Attempt::Done;
        }
        let reason = format!(
            "HTTP {status}{}",
            http_error_message(response.body(), self.json)
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        );
        if retry::http_status_retryable(status.as_u16()) {
            let after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(retry::parse_retry_after);
            Attempt::Retry { reason, after }
        } else {
            Attempt::Fail(reason)
        }
    }
}

/// The message of a failed OTLP/HTTP response: its `google.rpc.Status` body, else its text.
fn http_error_message(body: &[u8], json: bool) -> Option<String> {
    use prost::Message;
    if body.is_empty() {
        return None;
    }
    if !json {
        if let Ok(status) = crate::status::RpcStatus::decode(body) {
            if !status.message.is_empty() {
                return Some(status.message);
            }
        }
    }
    #[cfg(feature = "http-json")]
    if json {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
                return Some(m.to_owned());
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    Some(text.chars().take(256).collect())
}

/// The default HTTP client: reqwest (feature `reqwest-client`) or hyper, run on the
/// exporter's worker runtime.
fn default_http_client(signal: Signal) -> Result<Arc<dyn HttpClient>, Error> {
    #[cfg(feature = "reqwest-client")]
    {
        reqwest_client(signal)
    }
    #[cfg(not(feature = "reqwest-client"))]
    {
        let _ = signal;
        Ok(Arc::new(opentelemetry_http::HyperClient::new()))
    }
}

/// A reqwest client, with the CA certificate and client identity of the
/// `OTEL_EXPORTER_OTLP_*CERTIFICATE` / `*CLIENT_KEY` variables when HTTPS is compiled in.
#[cfg(feature = "reqwest-client")]
fn reqwest_client(signal: Signal) -> Result<Arc<dyn HttpClient>, Error> {
    #[allow(unused_mut)]
    let mut builder = reqwest::Client::builder();
    #[cfg(feature = "reqwest-rustls")]
    {
        opentelemetry_http::install_rustls_provider();
        if let Some(ca) = config::tls_file(signal, "CERTIFICATE") {
            match reqwest::Certificate::from_pem(&ca) {
                Ok(cert) => builder = builder.add_root_certificate(cert),
                Err(e) => otel_warn!("Otlp.InvalidTlsFile", "CA certificate: {e}; ignored"),
            }
        }
        match (
            config::tls_file(signal, "CLIENT_CERTIFICATE"),
            config::tls_file(signal, "CLIENT_KEY"),
        ) {
            (Some(mut cert), Some(key)) => {
                cert.push(b'\n');
                cert.extend_from_slice(&key);
                match reqwest::Identity::from_pem(&cert) {
                    Ok(id) => builder = builder.identity(id),
                    Err(e) => otel_warn!("Otlp.InvalidTlsFile", "client identity: {e}; ignored"),
                }
            }
            (None, None) => {}
            _ => otel_warn!(
                "Otlp.InvalidTlsFile",
                "a client certificate needs both CLIENT_CERTIFICATE and CLIENT_KEY; ignored"
            ),
        }
    }
    #[cfg(not(feature = "reqwest-rustls"))]
    let _ = signal;
    let client = builder
        .build()
        .map_err(|e| Error::Tls(format!("building the HTTP client: {e}")))?;
    Ok(Arc::new(client))
}

#[cfg(feature = "grpc-tonic")]
mod grpc {
    //! OTLP/gRPC with tonic: the request is encoded once, on the caller's thread, and sent
    //! as-is on each attempt (a pass-through codec), so retries re-encode nothing.

    use super::*;
    use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
    use tonic::transport::{Channel, Endpoint};
    use tonic::Code;

    #[derive(Clone, Debug)]
    pub(crate) struct GrpcSender {
        channel: Channel,
        metadata: tonic::metadata::MetadataMap,
        compression: Option<Compression>,
    }

    impl GrpcSender {
        #[allow(clippy::too_many_arguments)]
        pub(crate) fn new(
            settings: &Settings,
            signal: Signal,
            worker: &RuntimeThread,
            endpoint: &str,
            headers: Vec<(String, String)>,
            compression: Option<Compression>,
            timeout: Duration,
        ) -> Result<Self, Error> {
            let mut metadata = tonic::metadata::MetadataMap::new();
            for (k, v) in headers {
                let key = tonic::metadata::MetadataKey::from_bytes(k.as_bytes())
                    .map_err(|_| Error::InvalidHeader(k.clone()))?;
                let value = v.parse().map_err(|_| Error::InvalidHeader(k))?;
                metadata.insert(key, value);
            }
            let mut ep = Endpoint::from_shared(endpoint.to_owned())
                .map_err(|e| Error::InvalidEndpoint {
                    endpoint: endpoint.to_owned(),
                    reason: e.to_string(),
                })?
                .timeout(timeout)
                .connect_timeout(timeout)
                .tcp_nodelay(true)
                .user_agent(USER_AGENT)
                .map_err(|_| Error::InvalidHeader("user-agent".into()))?;
            ep = tls(ep, settings, signal, endpoint)?;
            // connect_lazy spawns the connection's tasks: it must run inside the runtime.
            let _inside = worker.handle().enter();
            Ok(GrpcSender {
                channel: ep.connect_lazy(),
                metadata,
                compression,
            })
        }

        pub(crate) async fn attempt(self, signal: Signal, body: Bytes, left: Duration) -> Attempt {
            let mut grpc = tonic::client::Grpc::new(self.channel);
            if self.compression == Some(Compression::Gzip) {
                grpc = grpc.send_compressed(tonic::codec::CompressionEncoding::Gzip);
            }
            if let Err(e) = grpc.ready().await {
                return Attempt::Retry {
                    reason: format!("the channel is not ready: {e}"),
                    after: None,
                };
            }
            let mut request = tonic::Request::new(body);
            *request.metadata_mut() = self.metadata;
            request.set_timeout(left);
            let path = http::uri::PathAndQuery::from_static(match signal {
                Signal::Traces => "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                Signal::Metrics => {
                    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
                }
                Signal::Logs => "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
            });
            match grpc.unary(request, path, RawCodec).await {
                Ok(response) => {
                    if let Some((rejected, message)) =
                        partial_success(signal, response.get_ref(), false)
                    {
                        report_partial_success(signal, rejected, &message);
                    }
                    Attempt::Done
                }
                Err(status) => classify(&status),
            }
        }
    }

    /// Sorts a gRPC failure into retryable or not, per the OTLP/gRPC spec.
    pub(crate) fn classify(status: &tonic::Status) -> Attempt {
        let reason = format!("gRPC {:?}: {}", status.code(), status.message());
        let after = crate::status::retry_delay(status.details());
        match status.code() {
            Code::Cancelled
            | Code::DeadlineExceeded
            | Code::Aborted
            | Code::OutOfRange
            | Code::Unavailable
            | Code::DataLoss => Attempt::Retry { reason, after },
            // Only when the server says when to retry.
            Code::ResourceExhausted if after.is_some() => Attempt::Retry { reason, after },
            _ => Attempt::Fail(reason),
        }
    }

    #[cfg(feature = "tls")]
    fn tls(
        ep: Endpoint,
        settings: &Settings,
        signal: Signal,
        endpoint: &str,
    ) -> Result<Endpoint, Error> {
        use tonic::transport::{Certificate, ClientTlsConfig, Identity};
        if !endpoint.starts_with("https://") {
            return Ok(ep);
        }
        let config = match &settings.tls {
            Some(c) => c.clone(),
            None => {
                let mut c = ClientTlsConfig::new();
                #[cfg(feature = "tls-roots")]
                {
                    c = c.with_native_roots();
                }
                if let Some(ca) = config::tls_file(signal, "CERTIFICATE") {
                    c = c.ca_certificate(Certificate::from_pem(ca));
                }
                match (
                    config::tls_file(signal, "CLIENT_CERTIFICATE"),
                    config::tls_file(signal, "CLIENT_KEY"),
                ) {
                    (Some(cert), Some(key)) => c = c.identity(Identity::from_pem(cert, key)),
                    (None, None) => {}
                    _ => otel_warn!(
                        "Otlp.InvalidTlsFile",
                        "a client certificate needs both CLIENT_CERTIFICATE and CLIENT_KEY; ignored"
                    ),
                }
                c
            }
        };
        ep.tls_config(config).map_err(|e| Error::Tls(e.to_string()))
    }

    #[cfg(not(feature = "tls"))]
    fn tls(
        ep: Endpoint,
        _settings: &Settings,
        _signal: Signal,
        endpoint: &str,
    ) -> Result<Endpoint, Error> {
        if endpoint.starts_with("https://") {
            return Err(Error::Tls(format!(
                "{endpoint} needs TLS: enable the `tls` feature, or use http:// \
                 (OTEL_EXPORTER_OTLP_INSECURE=true for an endpoint without a scheme)"
            )));
        }
        Ok(ep)
    }

    /// Sends pre-encoded protobuf bytes; receives the response's bytes.
    #[derive(Clone, Copy, Debug, Default)]
    struct RawCodec;

    impl Codec for RawCodec {
        type Encode = Bytes;
        type Decode = Bytes;
        type Encoder = RawCodec;
        type Decoder = RawCodec;
        fn encoder(&mut self) -> Self::Encoder {
            RawCodec
        }
        fn decoder(&mut self) -> Self::Decoder {
            RawCodec
        }
    }

    impl Encoder for RawCodec {
        type Item = Bytes;
        type Error = tonic::Status;
        fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
            use bytes::BufMut;
            dst.put_slice(&item);
            Ok(())
        }
    }

    impl Decoder for RawCodec {
        type Item = Bytes;
        type Error = tonic::Status;
        fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, tonic::Status> {
            use bytes::Buf;
            Ok(Some(src.copy_to_bytes(src.remaining())))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn grpc_codes_sort_into_retryable_or_not() {
            for code in [
                Code::Cancelled,
                Code::DeadlineExceeded,
                Code::Aborted,
                Code::OutOfRange,
                Code::Unavailable,
                Code::DataLoss,
            ] {
                assert!(matches!(
                    classify(&tonic::Status::new(code, "x")),
                    Attempt::Retry { .. }
                ));
            }
            for code in [
                Code::InvalidArgument,
                Code::Unauthenticated,
                Code::PermissionDenied,
                Code::Internal,
                Code::ResourceExhausted,
            ] {
                assert!(matches!(
                    classify(&tonic::Status::new(code, "x")),
                    Attempt::Fail(_)
                ));
            }
            use prost::Message;
            let details = crate::status::RpcStatus {
                code: 8,
                message: String::new(),
                details: vec![crate::status::Any {
                    type_url: "type.googleapis.com/google.rpc.RetryInfo".into(),
                    value: crate::status::RetryInfo {
                        retry_delay: Some(crate::status::ProtoDuration {
                            seconds: 0,
                            nanos: 20_000_000,
                        }),
                    }
                    .encode_to_vec(),
                }],
            }
            .encode_to_vec();
            let status =
                tonic::Status::with_details(Code::ResourceExhausted, "busy", details.into());
            assert!(matches!(
                classify(&status),
                Attempt::Retry { after: Some(d), .. } if d == Duration::from_millis(20)
            ));
        }
    }
}
