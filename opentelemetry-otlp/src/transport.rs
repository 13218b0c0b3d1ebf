//! The transports: one [`Transport`] per destination, sending encoded export requests over
//! OTLP/HTTP or OTLP/gRPC on the destination's worker thread, with retries.

use crate::config::{self, Compression, Protocol, Settings, Signal};
use crate::delivery::{self, Window};
use crate::error::Error;
use crate::retry::{self, Attempt, RetryPolicy};
use crate::self_observability::{Export, ExporterMetrics, Report};
use bytes::Bytes;
use opentelemetry_api::{otel_error, otel_warn};
use opentelemetry_http::HttpClient;
use opentelemetry_http::RuntimeThread;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Added to the export timeout when waiting for requests in flight (timer resolution).
const WAIT_GRACE: Duration = Duration::from_millis(50);

/// The `User-Agent` of export requests.
const USER_AGENT: &str = concat!("OTel-OTLP-Exporter-Rust/", env!("CARGO_PKG_VERSION"));

/// The encoding of a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Protobuf,
    /// OTLP/JSON (only asked for with feature `http-json`).
    Json,
}

/// A built transport: one destination.
#[derive(Debug)]
pub(crate) struct Transport {
    worker: RuntimeThread,
    route: Route,
    /// The largest encoded request sent, in bytes (before compression).
    max_request: usize,
    /// The size of the last encoded request: the capacity the next one starts with.
    last_len: AtomicUsize,
    /// Asynchronous delivery (more than one request in flight, or one destination of
    /// several); `None`: each export waits for the receiver's answer.
    window: Option<Window>,
    /// Whether shutdown waits for the requests queued and in flight.
    wait_on_shutdown: bool,
    /// The `otel.sdk.exporter.*` metrics, when self-observability is on.
    metrics: Option<Arc<ExporterMetrics>>,
}

/// What sending one request needs, cheap to clone into the worker's tasks.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    kind: Kind,
    signal: Signal,
    timeout: Duration,
    retry: RetryPolicy,
    /// The endpoint, for diagnostics.
    endpoint: Arc<str>,
}

#[derive(Clone, Debug)]
enum Kind {
    Http(Arc<HttpSender>),
    #[cfg(feature = "grpc-tonic")]
    Grpc(grpc::GrpcSender),
}

impl Route {
    /// The signal's name in diagnostics.
    pub(crate) fn signal_name(&self) -> &'static str {
        signal_name(self.signal)
    }

    /// The endpoint, for diagnostics.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The export timeout (retries included).
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The encoding the destination takes.
    pub(crate) fn format(&self) -> Format {
        match &self.kind {
            Kind::Http(sender) if sender.json => Format::Json,
            _ => Format::Protobuf,
        }
    }

    /// Sends `body` with retries, within the export timeout; the future must run on the
    /// worker. With `compress`, an OTLP/HTTP body is compressed first (when configured):
    /// the shared, uncompressed bytes of multi-destination exporting.
    ///
    /// `export` (self-observability on) learns what the attempts find and records the
    /// outcome when the future ends (on the worker, where the export runs to its end even
    /// when the caller stops waiting), or as abandoned if the future is dropped first.
    pub(crate) fn send(
        &self,
        body: Bytes,
        compress: bool,
        export: Option<Export>,
    ) -> crate::BoxFuture<'static, Result<(), Error>> {
        let policy = self.retry;
        let timeout = self.timeout;
        let report = export.as_ref().map(|e| Arc::clone(e.report()));
        let sent: crate::BoxFuture<'static, Result<(), Error>> = match &self.kind {
            Kind::Http(sender) => {
                let sender = Arc::clone(sender);
                Box::pin(async move {
                    let body = if compress {
                        sender.compress(body)?
                    } else {
                        body
                    };
                    let report = report.as_deref();
                    retry::with_retries(policy, timeout, report, |_| {
                        sender.attempt(body.clone(), report)
                    })
                    .await
                })
            }
            #[cfg(feature = "grpc-tonic")]
            Kind::Grpc(sender) => {
                // tonic compresses as it sends.
                let _ = compress;
                let sender = sender.clone();
                let signal = self.signal;
                Box::pin(async move {
                    let report = report.as_deref();
                    retry::with_retries(policy, timeout, report, |left| {
                        sender.clone().attempt(signal, body.clone(), left, report)
                    })
                    .await
                })
            }
        };
        match export {
            None => sent,
            Some(export) => Box::pin(async move {
                let result = sent.await;
                export.finish(&result);
                result
            }),
        }
    }
}

impl Transport {
    /// Builds the transport for `protocol` from the builder's settings and the environment.
    /// `fanout`: one destination of several (each export only queues its request).
    pub(crate) fn build(
        settings: &Settings,
        signal: Signal,
        protocol: Protocol,
        fanout: bool,
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
        let max_request = settings
            .max_request_size
            .unwrap_or(config::DEFAULT_MAX_REQUEST_SIZE);
        let max_response = settings
            .max_response_size
            .unwrap_or(config::DEFAULT_MAX_RESPONSE_SIZE);
        let (kind, endpoint) = match protocol {
            Protocol::HttpBinary | Protocol::HttpJson => {
                if protocol == Protocol::HttpJson && cfg!(not(feature = "http-json")) {
                    return Err(Error::UnsupportedProtocol("http/json"));
                }
                let url = config::resolve_http_endpoint(settings, signal)?;
                let sender = HttpSender::new(
                    settings,
                    signal,
                    url.clone(),
                    headers,
                    compression,
                    protocol == Protocol::HttpJson,
                    max_response,
                )?;
                (Kind::Http(Arc::new(sender)), url)
            }
            #[cfg(feature = "grpc-tonic")]
            Protocol::Grpc => {
                let endpoint = config::resolve_grpc_endpoint(settings, signal)?;
                let sender = grpc::GrpcSender::new(
                    settings,
                    signal,
                    &worker,
                    &endpoint,
                    headers,
                    compression,
                    timeout,
                    max_response,
                )?;
                (Kind::Grpc(sender), endpoint)
            }
            #[cfg(not(feature = "grpc-tonic"))]
            Protocol::Grpc => return Err(Error::UnsupportedProtocol("grpc")),
        };
        let metrics = settings
            .self_observability
            .as_ref()
            .map(|meter| Arc::new(ExporterMetrics::new(meter, signal, protocol, &endpoint)));
        let route = Route {
            kind,
            signal,
            timeout,
            retry,
            endpoint: endpoint.into(),
        };
        let limit = settings.max_concurrent_requests.unwrap_or(1).max(1);
        let window = if fanout {
            let queue = settings
                .max_queued_requests
                .unwrap_or(delivery::DEFAULT_MAX_QUEUED_REQUESTS);
            Some(Window::with_queue(&worker, &route, limit, queue))
        } else if limit > 1 {
            Some(Window::new(limit))
        } else {
            None
        };
        Ok(Transport {
            worker,
            route,
            max_request,
            last_len: AtomicUsize::new(0),
            window,
            wait_on_shutdown: settings.wait_on_shutdown.unwrap_or(true),
            metrics,
        })
    }

    /// The encoding the destination takes.
    pub(crate) fn format(&self) -> Format {
        self.route.format()
    }

    /// The capacity to encode the next request into: requests of one exporter are usually of
    /// similar sizes, so start where the last ended, with some room, rather than growing
    /// from empty.
    pub(crate) fn capacity_hint(&self) -> usize {
        let last = self.last_len.load(Ordering::Relaxed);
        last + last / 8
    }

    /// Checks an encoded request against the maximum request size; a request over it is
    /// reported and refused (never sent, never retried).
    pub(crate) fn check_request_size(&self, size: usize) -> Result<(), Error> {
        if size <= self.max_request {
            self.last_len.store(size, Ordering::Relaxed);
            return Ok(());
        }
        let error = Error::RequestTooLarge {
            size,
            limit: self.max_request,
        };
        otel_error!(
            "Otlp.RequestTooLarge",
            "{} export discarded: {error}",
            self.route.signal_name()
        );
        Err(error)
    }

    /// Encodes a request with `encode` (on the caller's thread: it appends the request in the
    /// format asked for to the buffer) and sends it on the worker, with retries. Without a
    /// window the future gives the receiver's answer; with one, it is ready once the request
    /// is in flight (after waiting, within the export timeout, for one of the window's
    /// slots), and the answer is reported through the diagnostics.
    pub(crate) fn export(
        &self,
        items: usize,
        encode: impl FnOnce(Format, &mut Vec<u8>),
    ) -> impl Future<Output = Result<(), Error>> + Send + 'static {
        let export = self.start_export(items);
        let mut raw = Vec::with_capacity(self.capacity_hint());
        encode(self.format(), &mut raw);
        let body = self.check_request_size(raw.len()).and_then(|()| {
            Ok(match &self.route.kind {
                Kind::Http(sender) => sender.compress(Bytes::from(raw))?,
                #[cfg(feature = "grpc-tonic")]
                Kind::Grpc(_) => Bytes::from(raw),
            })
        });
        let (body, export) = match body {
            Ok(body) => (Ok(body), export),
            Err(e) => {
                if let Some(export) = export {
                    export.failed(&e);
                }
                (Err(e), None)
            }
        };
        let running = body.map(|body| {
            let job = self.route.send(body, false, export);
            self.worker.run(match &self.window {
                None => job,
                Some(window) => Box::pin(window.admit(self.route.clone(), job)),
            })
        });
        async move {
            match running {
                // `None`: the worker thread stopped before the export finished.
                Ok(running) => running.await.unwrap_or(Err(Error::Shutdown)),
                Err(e) => Err(e),
            }
        }
    }

    /// Queues an encoded request (shared with the other destinations) for this destination,
    /// one of several; `Err` when the destination's queue is full (reported and counted)
    /// or the request is over the size limit.
    /// `items`: the spans, log records or data points in it (for the self-observability
    /// metrics).
    pub(crate) fn enqueue(&self, items: usize, raw: Bytes) -> Result<(), Error> {
        let export = self.start_export(items);
        let refused = match (self.check_request_size(raw.len()), &self.window) {
            (Ok(()), Some(window)) => return window.enqueue(&self.route, raw, export),
            (Err(e), _) => e,
            // Unreachable: destinations of several are built with a queue. Sending it
            // directly would tie the exporter to this destination's answer.
            (Ok(()), None) => Error::Shutdown,
        };
        if let Some(export) = export {
            export.failed(&refused);
        }
        Err(refused)
    }

    /// The self-observability record of one export of `items` (when on).
    fn start_export(&self, items: usize) -> Option<Export> {
        self.metrics.as_ref().map(|m| m.start(items))
    }

    /// Waits, until `deadline`, for the requests queued and in flight; `Err` names how many
    /// are still unacknowledged then.
    pub(crate) fn flush_until(&self, deadline: Instant) -> Result<(), Error> {
        match &self.window {
            Some(window) => window.wait(&self.route, deadline),
            None => Ok(()),
        }
    }

    /// [`flush_until`](Self::flush_until) the export timeout (and a grace) from now.
    pub(crate) fn flush(&self) -> Result<(), Error> {
        self.flush_until(Instant::now() + self.wait_limit())
    }

    /// Waits, until `deadline` (not at all when told not to wait on shutdown), for the
    /// requests queued and in flight, then stops the worker: requests still unacknowledged
    /// are cancelled, reported and counted as lost.
    pub(crate) fn shutdown_until(self, deadline: Instant) -> Result<(), Error> {
        let deadline = if self.wait_on_shutdown {
            deadline
        } else {
            Instant::now()
        };
        let outcome = self.flush_until(deadline);
        if let Some(window) = &self.window {
            if let Err(Error::Unacknowledged { requests, .. }) = &outcome {
                window.abandon(&self.route, *requests);
            }
            window.summarize(&self.route);
        }
        // Dropping the worker cancels what is left.
        drop(self);
        outcome
    }

    /// [`shutdown_until`](Self::shutdown_until) the export timeout from now.
    pub(crate) fn shutdown(self) -> Result<(), Error> {
        let deadline = Instant::now() + self.wait_limit();
        self.shutdown_until(deadline)
    }

    /// How long a flush or a shutdown waits for the requests handed over: the export
    /// timeout, within which each request in flight ends (retries included), and a grace
    /// for the timers of a request sent just before.
    pub(crate) fn wait_limit(&self) -> Duration {
        self.route.timeout + WAIT_GRACE
    }
}

/// The signal's name in diagnostics.
fn signal_name(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "trace",
        Signal::Metrics => "metrics",
        Signal::Logs => "logs",
    }
}

/// Reports a response over the maximum response size and makes it the export's error.
fn response_too_large(signal: Signal, limit: usize, detail: String) -> Attempt {
    let error = Error::ResponseTooLarge { limit, detail };
    otel_error!(
        "Otlp.ResponseTooLarge",
        "{} export failed, response discarded (not retried): {error}",
        signal_name(signal)
    );
    Attempt::Abort(error)
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
    /// The largest response body accepted, in bytes, after decompression.
    max_response: usize,
}

impl HttpSender {
    fn new(
        settings: &Settings,
        signal: Signal,
        url: String,
        headers: Vec<(String, String)>,
        compression: Option<Compression>,
        json: bool,
        max_response: usize,
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
        // gzip responses are inflated, within the maximum response size.
        map.insert(
            http::header::ACCEPT_ENCODING,
            http::HeaderValue::from_static("gzip"),
        );
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
            max_response,
        })
    }

    /// The body for an encoded request: compressed when configured.
    fn compress(&self, raw: Bytes) -> Result<Bytes, Error> {
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
            None => raw,
        })
    }

    async fn attempt(&self, body: Bytes, report: Option<&Report>) -> Attempt {
        if let Some(report) = report {
            report.attempt();
        }
        let mut request = http::Request::new(body);
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.url.clone();
        *request.headers_mut() = self.headers.clone();
        let limit = self.max_response;
        let response = match self.client.send_bytes_with_limit(request, limit).await {
            Ok(r) => r,
            Err(opentelemetry_http::HttpError::ResponseTooLarge { content_length, .. }) => {
                let detail = match content_length {
                    Some(length) => format!("Content-Length {length}"),
                    None => format!("the body passed {limit} bytes"),
                };
                return response_too_large(self.signal, limit, detail);
            }
            // Connection refused or reset, timeouts: the receiver may come back.
            Err(e) => {
                return Attempt::Retry {
                    reason: e.to_string(),
                    after: None,
                }
            }
        };
        let status = response.status();
        if let Some(report) = report {
            report.http_status(status.as_u16());
        }
        let body = match inflate_response(response.headers(), response.body(), limit) {
            Ok(body) => body,
            Err(Inflate::TooLarge) => {
                return response_too_large(
                    self.signal,
                    limit,
                    format!("the gzip body inflates past {limit} bytes"),
                )
            }
            Err(Inflate::Corrupt(e)) => {
                otel_warn!(
                    "Otlp.InvalidResponse",
                    "the receiver's gzip response body cannot be inflated ({e}); ignored"
                );
                std::borrow::Cow::Borrowed(&[][..])
            }
        };
        if status.is_success() {
            if let Some((rejected, message)) = partial_success(self.signal, &body, self.json) {
                report_partial_success(self.signal, rejected, &message);
                if let Some(report) = report {
                    report.rejected(rejected);
                }
            }
            return Attempt::Done;
        }
        let reason = format!(
            "HTTP {status}{}",
            http_error_message(&body, self.json)
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

/// Why a response body could not be inflated.
#[derive(Debug)]
enum Inflate {
    /// It inflates past the limit.
    TooLarge,
    /// It is not valid gzip.
    Corrupt(std::io::Error),
}

/// The body of a response, inflated when its `Content-Encoding` is gzip; never inflating
/// more than `limit + 1` bytes.
fn inflate_response<'a>(
    headers: &http::HeaderMap,
    body: &'a [u8],
    limit: usize,
) -> Result<std::borrow::Cow<'a, [u8]>, Inflate> {
    use std::io::Read;
    let gzip = headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
    if !gzip || body.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(body));
    }
    let mut inflated = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    flate2::read::MultiGzDecoder::new(body)
        .take(limit as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(Inflate::Corrupt)?;
    if inflated.len() > limit {
        return Err(Inflate::TooLarge);
    }
    Ok(std::borrow::Cow::Owned(inflated))
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
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
    use tonic::codegen::Service;
    use tonic::transport::{Channel, Endpoint};
    use tonic::Code;

    #[derive(Clone, Debug)]
    pub(crate) struct GrpcSender {
        channel: Channel,
        metadata: tonic::metadata::MetadataMap,
        compression: Option<Compression>,
        /// The largest response message accepted, in bytes.
        max_response: usize,
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
            max_response: usize,
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
                max_response,
            })
        }

        pub(crate) async fn attempt(
            self,
            signal: Signal,
            body: Bytes,
            left: Duration,
            report: Option<&Report>,
        ) -> Attempt {
            if let Some(report) = report {
                report.attempt();
            }
            let limit = self.max_response;
            // Responses are never compressed (no `grpc-accept-encoding` is sent), so a
            // message's length prefix is its decoded size. The channel's response bodies
            // refuse a prefix over the limit before tonic sees it: tonic's own check (kept,
            // the same limit, as a bound on its buffer) would end in OUT_OF_RANGE, a code
            // retried as the server's.
            let channel = ResponseLimit {
                channel: self.channel,
                limit,
            };
            // The request's size was checked before it was handed over (`check_request_size`).
            let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(limit);
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
                    if let Some(report) = report {
                        report.grpc_status(0);
                    }
                    if let Some((rejected, message)) =
                        partial_success(signal, response.get_ref(), false)
                    {
                        report_partial_success(signal, rejected, &message);
                        if let Some(report) = report {
                            report.rejected(rejected);
                        }
                    }
                    Attempt::Done
                }
                Err(status) if too_large(&status).is_none() => {
                    if let Some(report) = report {
                        report.grpc_status(status.code() as i32);
                    }
                    classify(&status)
                }
                Err(status) => match too_large(&status) {
                    Some(e) => response_too_large(
                        signal,
                        limit,
                        format!("a message of {} bytes", e.declared),
                    ),
                    None => classify(&status),
                },
            }
        }
    }

    /// The response-size error of a status, when the status is the refusal of
    /// [`LimitedBody`] (and not a status the server sent, which never carries it).
    fn too_large(status: &tonic::Status) -> Option<&MessageTooLarge> {
        let mut source = std::error::Error::source(status);
        while let Some(e) = source {
            if let Some(found) = e.downcast_ref::<MessageTooLarge>() {
                return Some(found);
            }
            source = e.source();
        }
        None
    }

    /// A response message whose length prefix is over the maximum response size.
    #[derive(Debug, thiserror::Error)]
    #[error("response message of {declared} bytes, over the limit of {limit} bytes")]
    pub(crate) struct MessageTooLarge {
        pub(crate) declared: usize,
        pub(crate) limit: usize,
    }

    /// The channel, with response bodies that refuse a message over `limit` bytes.
    #[derive(Clone, Debug)]
    struct ResponseLimit {
        channel: Channel,
        limit: usize,
    }

    impl Service<http::Request<tonic::body::Body>> for ResponseLimit {
        type Response = http::Response<LimitedBody>;
        type Error = tonic::transport::Error;
        type Future = tonic::codegen::BoxFuture<Self::Response, Self::Error>;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            self.channel.poll_ready(cx)
        }

        fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
            let limit = self.limit;
            let response = self.channel.call(request);
            Box::pin(async move {
                let response = response.await?;
                Ok(response.map(|inner| LimitedBody {
                    inner,
                    limit,
                    prefix: [0; 5],
                    prefix_len: 0,
                    message_left: 0,
                }))
            })
        }
    }

    /// A gRPC response body that reads the length prefix of each message as it passes and
    /// fails, before passing on the frame that completes it, when one is over `limit`.
    struct LimitedBody {
        inner: tonic::body::Body,
        limit: usize,
        /// The prefix being read (compression flag, big-endian length).
        prefix: [u8; 5],
        prefix_len: usize,
        /// Bytes of the current message still to pass.
        message_left: usize,
    }

    impl LimitedBody {
        /// Follows the message framing through `data`.
        fn scan(&mut self, mut data: &[u8]) -> Result<(), MessageTooLarge> {
            while !data.is_empty() {
                if self.message_left > 0 {
                    let n = self.message_left.min(data.len());
                    self.message_left -= n;
                    data = &data[n..];
                    continue;
                }
                let n = (5 - self.prefix_len).min(data.len());
                self.prefix[self.prefix_len..self.prefix_len + n].copy_from_slice(&data[..n]);
                self.prefix_len += n;
                data = &data[n..];
                if self.prefix_len == 5 {
                    let [_, a, b, c, d] = self.prefix;
                    let declared = u32::from_be_bytes([a, b, c, d]) as usize;
                    if declared > self.limit {
                        return Err(MessageTooLarge {
                            declared,
                            limit: self.limit,
                        });
                    }
                    self.prefix_len = 0;
                    self.message_left = declared;
                }
            }
            Ok(())
        }
    }

    impl http_body::Body for LimitedBody {
        type Data = Bytes;
        type Error = tonic::Status;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, tonic::Status>>> {
            let this = &mut *self;
            let frame = std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx));
            if let Some(Ok(frame)) = &frame {
                if let Some(data) = frame.data_ref() {
                    if let Err(e) = this.scan(data) {
                        let mut status = tonic::Status::resource_exhausted(e.to_string());
                        status.set_source(Arc::new(e));
                        return Poll::Ready(Some(Err(status)));
                    }
                }
            }
            Poll::Ready(frame)
        }

        fn is_end_stream(&self) -> bool {
            self.inner.is_end_stream()
        }

        fn size_hint(&self) -> http_body::SizeHint {
            self.inner.size_hint()
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

        fn body(limit: usize) -> LimitedBody {
            LimitedBody {
                inner: tonic::body::Body::empty(),
                limit,
                prefix: [0; 5],
                prefix_len: 0,
                message_left: 0,
            }
        }

        fn message(len: u32) -> Vec<u8> {
            let mut framed = vec![0];
            framed.extend_from_slice(&len.to_be_bytes());
            framed.resize(5 + len as usize, b'x');
            framed
        }

        #[test]
        fn message_prefixes_are_followed_across_frames() {
            // Two messages within the limit, then one over it, cut at every possible point.
            let mut stream = message(10);
            stream.extend(message(0));
            stream.extend(message(16));
            let over = message(17);
            for cut in 0..stream.len() {
                let mut b = body(16);
                b.scan(&stream[..cut]).unwrap();
                b.scan(&stream[cut..]).unwrap();
                // The prefix of the next message, split in two: refused once complete.
                b.scan(&over[..3]).unwrap();
                let e = b.scan(&over[3..5]).unwrap_err();
                assert_eq!((e.declared, e.limit), (17, 16));
            }
            // Byte by byte.
            let mut b = body(16);
            for byte in &stream {
                b.scan(std::slice::from_ref(byte)).unwrap();
            }
            assert!(b.scan(&over).is_err());
        }

        #[test]
        fn only_the_exporters_own_limit_is_a_response_size_error() {
            let mut own = tonic::Status::resource_exhausted("x");
            own.set_source(Arc::new(MessageTooLarge {
                declared: 9,
                limit: 8,
            }));
            assert_eq!(too_large(&own).map(|e| e.declared), Some(9));
            // A server's RESOURCE_EXHAUSTED, tonic's OUT_OF_RANGE: not this error.
            assert!(too_large(&tonic::Status::resource_exhausted("too big")).is_none());
            assert!(too_large(&tonic::Status::out_of_range("too large")).is_none());
        }

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    fn gzip_headers() -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_ENCODING,
            http::HeaderValue::from_static("gzip"),
        );
        headers
    }

    #[test]
    fn gzip_responses_inflate_up_to_the_limit() {
        let data = vec![b'x'; 1000];
        let compressed = gzip(&data);
        let inflated = inflate_response(&gzip_headers(), &compressed, 1000).unwrap();
        assert_eq!(&*inflated, &data[..]);
        assert!(matches!(
            inflate_response(&gzip_headers(), &compressed, 999),
            Err(Inflate::TooLarge)
        ));
        assert!(matches!(
            inflate_response(&gzip_headers(), b"not gzip", 1000),
            Err(Inflate::Corrupt(_))
        ));
        // Without Content-Encoding the body is used as it is (its size was checked reading it).
        let plain = inflate_response(&http::HeaderMap::new(), &compressed, 10).unwrap();
        assert_eq!(&*plain, &compressed[..]);
    }

    #[test]
    fn inflating_a_bomb_stops_past_the_limit() {
        // 64 MiB of zeros, about 64 KiB compressed: inflation stops at limit + 1 bytes.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert!(matches!(
            inflate_response(&gzip_headers(), &bomb, 4096),
            Err(Inflate::TooLarge)
        ));
    }
}
