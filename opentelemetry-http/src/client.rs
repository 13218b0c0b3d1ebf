//! The client trait and its error.

use bytes::Bytes;
use http::{Request, Response};
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a request got no response. A response with an error status is not an error here:
/// exporters read the status to decide whether to retry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// No response within the timeout.
    #[error("HTTP request timed out after {0:?}")]
    Timeout(Duration),
    /// The request could not be sent or its response not read (connection refused or reset,
    /// DNS, TLS, a malformed response).
    #[error("HTTP transport error: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The request could not be built (a bad URI, say).
    #[error("invalid HTTP request: {0}")]
    InvalidRequest(String),
    /// An async client was polled outside the runtime it needs; wrap it in
    /// [`DedicatedThread`](crate::DedicatedThread).
    #[error("this HTTP client needs a tokio runtime and none is running here")]
    NoRuntime,
    /// The thread driving the client has stopped.
    #[error("the HTTP client's background thread has stopped")]
    ClientStopped,
    /// The response body is larger than the limit given to
    /// [`send_bytes_with_limit`](HttpClient::send_bytes_with_limit).
    #[error("the HTTP response body is larger than the limit of {limit} bytes{}", .content_length.map(|l| format!(" (Content-Length: {l})")).unwrap_or_default())]
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The response's `Content-Length`, when it declared one.
        content_length: Option<u64>,
    },
}

impl HttpError {
    /// A transport error from any error type.
    pub fn transport(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        HttpError::Transport(error.into())
    }
}

/// Sends one HTTP request with a complete body and reads the complete response.
///
/// Implemented for the clients of the `reqwest` and `hyper` features; implement it to plug in
/// any other client (only [`send_bytes`](Self::send_bytes) is required).
///
/// ```
/// use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
/// use http::{Request, Response};
///
/// /// Answers every request with 200 and echoes the body.
/// #[derive(Debug)]
/// struct Echo;
///
/// impl HttpClient for Echo {
///     fn send_bytes(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
///         Box::pin(async move { Ok(Response::new(request.into_body())) })
///     }
/// }
///
/// let response = futures_executor::block_on(Echo.send_bytes(Request::new(Bytes::from("hi")))).unwrap();
/// assert_eq!(response.body(), "hi");
/// ```
pub trait HttpClient: Debug + Send + Sync {
    /// Sends `request`; resolves to its response, whatever its status.
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>>;

    /// Like [`send_bytes`](Self::send_bytes), but fails with
    /// [`HttpError::ResponseTooLarge`] when the response body is larger than `limit` bytes,
    /// whatever the response's status.
    ///
    /// The clients of this crate refuse a `Content-Length` above the limit before reading the
    /// body, and stop reading once more than `limit` bytes arrived, so a misbehaving server
    /// cannot make them buffer more. The default implementation, for other clients, reads the
    /// whole body with `send_bytes` and then checks its length; override it to bound reading.
    ///
    /// ```
    /// use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
    /// use http::{Request, Response};
    ///
    /// /// Answers every request with 200 and echoes the body.
    /// #[derive(Debug)]
    /// struct Echo;
    ///
    /// impl HttpClient for Echo {
    ///     fn send_bytes(&self, request: Request<Bytes>) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
    ///         Box::pin(async move { Ok(Response::new(request.into_body())) })
    ///     }
    /// }
    ///
    /// let sent = Echo.send_bytes_with_limit(Request::new(Bytes::from("hello")), 4);
    /// let error = futures_executor::block_on(sent).unwrap_err();
    /// assert!(matches!(error, HttpError::ResponseTooLarge { limit: 4, .. }));
    /// ```
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let sent = self.send_bytes(request);
        Box::pin(async move {
            let response = sent.await?;
            check_content_length(response.headers(), limit)?;
            if response.body().len() > limit {
                return Err(HttpError::ResponseTooLarge {
                    limit,
                    content_length: None,
                });
            }
            Ok(response)
        })
    }
}

/// Fails with [`HttpError::ResponseTooLarge`] when `headers` declare a `Content-Length` above
/// `limit`.
pub(crate) fn check_content_length(
    headers: &http::HeaderMap,
    limit: usize,
) -> Result<(), HttpError> {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => Err(HttpError::ResponseTooLarge {
            limit,
            content_length: Some(length),
        }),
        _ => Ok(()),
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Arc<T> {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send_bytes(request)
    }

    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send_bytes_with_limit(request, limit)
    }
}

impl<T: HttpClient + ?Sized> HttpClient for Box<T> {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send_bytes(request)
    }

    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        (**self).send_bytes_with_limit(request, limit)
    }
}
