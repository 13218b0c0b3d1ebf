//! [`HttpClient`] for hyper's pooled client.

use crate::client::check_content_length;
use crate::{BoxFuture, Bytes, HttpClient, HttpError};
use http::{Request, Response};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// hyper's pooled HTTP/1.1 client over plain TCP. It needs a tokio runtime when polled:
/// outside one, the request fails with [`HttpError::NoRuntime`] (wrap it in
/// [`DedicatedThread`](crate::DedicatedThread)).
///
/// ```
/// let client = opentelemetry_http::HyperClient::new();
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct HyperClient {
    inner: Client<HttpConnector, Full<Bytes>>,
}

impl HyperClient {
    /// A client with hyper's default pool settings.
    pub fn new() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        HyperClient {
            inner: Client::builder(TokioExecutor::new()).build(connector),
        }
    }
}

impl Default for HyperClient {
    fn default() -> Self {
        Self::new()
    }
}

impl From<Client<HttpConnector, Full<Bytes>>> for HyperClient {
    fn from(inner: Client<HttpConnector, Full<Bytes>>) -> Self {
        HyperClient { inner }
    }
}

impl HyperClient {
    /// Sends `request` and reads its body, failing once it passes `limit` bytes (if any).
    async fn send(
        &self,
        request: Request<Bytes>,
        limit: Option<usize>,
    ) -> Result<Response<Bytes>, HttpError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(HttpError::NoRuntime);
        }
        let response = self
            .inner
            .request(request.map(Full::new))
            .await
            .map_err(HttpError::transport)?;
        read_response(response, limit).await
    }
}

/// Reads a response's body, failing once it passes `limit` bytes (if any).
async fn read_response(
    response: Response<hyper::body::Incoming>,
    limit: Option<usize>,
) -> Result<Response<Bytes>, HttpError> {
    let (parts, body) = response.into_parts();
    let body = match limit {
        None => body
            .collect()
            .await
            .map_err(HttpError::transport)?
            .to_bytes(),
        Some(limit) => {
            check_content_length(&parts.headers, limit)?;
            Limited::new(body, limit)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<LengthLimitError>() {
                        HttpError::ResponseTooLarge {
                            limit,
                            content_length: None,
                        }
                    } else {
                        HttpError::Transport(e)
                    }
                })?
                .to_bytes()
        }
    };
    Ok(Response::from_parts(parts, body))
}

impl HttpClient for HyperClient {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.send(request, None))
    }

    /// Refuses a `Content-Length` above `limit` before reading the body, and stops reading
    /// once more than `limit` bytes arrived.
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.send(request, Some(limit)))
    }
}

/// HTTP/1.1 over a Unix domain socket (one connection per request), for agents listening on
/// one, such as the Datadog agent's `/var/run/datadog/apm.socket`. Requests keep their URI's
/// path and query; its authority only fills the `Host` header (`http://localhost/...` is the
/// usual choice). Like [`HyperClient`] it needs a tokio runtime when polled (wrap it in
/// [`DedicatedThread`](crate::DedicatedThread)).
///
/// ```no_run
/// use opentelemetry_http::{DedicatedThread, HttpClient, UnixSocketClient};
///
/// let client = DedicatedThread::new(UnixSocketClient::new("/var/run/datadog/apm.socket"))?;
/// let request = http::Request::get("http://localhost/info").body(Default::default())?;
/// let response = futures_executor::block_on(client.send_bytes(request))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(unix)))]
#[derive(Debug, Clone)]
pub struct UnixSocketClient {
    path: std::path::PathBuf,
}

#[cfg(unix)]
impl UnixSocketClient {
    /// A client connecting to the socket at `path`.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        UnixSocketClient { path: path.into() }
    }

    /// The socket's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    async fn send(
        &self,
        mut request: Request<Bytes>,
        limit: Option<usize>,
    ) -> Result<Response<Bytes>, HttpError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| HttpError::NoRuntime)?;
        let stream = tokio::net::UnixStream::connect(&self.path)
            .await
            .map_err(HttpError::transport)?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(HttpError::transport)?;
        // The connection is driven until the response is read; it ends with the request.
        runtime.spawn(connection);
        if !request.headers().contains_key(http::header::HOST) {
            let host = request
                .uri()
                .authority()
                .map_or("localhost", |a| a.as_str())
                .to_owned();
            if let Ok(value) = http::HeaderValue::from_str(&host) {
                request.headers_mut().insert(http::header::HOST, value);
            }
        }
        // Over HTTP/1.1 the request line carries the path (and query) only.
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse::<http::Uri>()
            .map_err(HttpError::transport)?;
        *request.uri_mut() = path;
        let response = sender
            .send_request(request.map(Full::new))
            .await
            .map_err(HttpError::transport)?;
        read_response(response, limit).await
    }
}

#[cfg(unix)]
impl HttpClient for UnixSocketClient {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.send(request, None))
    }

    /// Refuses a `Content-Length` above `limit` before reading the body, and stops reading
    /// once more than `limit` bytes arrived.
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(self.send(request, Some(limit)))
    }
}
