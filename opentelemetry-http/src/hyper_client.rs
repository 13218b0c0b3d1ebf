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
