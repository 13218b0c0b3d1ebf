//! [`HttpClient`] for reqwest's clients.

use crate::client::check_content_length;
use crate::{BoxFuture, Bytes, HttpClient, HttpError};
use http::{Request, Response};

/// Copies the parts of a reqwest response into an `http` response.
fn response_parts(
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    response
}

fn map_error(error: reqwest::Error) -> HttpError {
    if error.is_builder() {
        HttpError::InvalidRequest(error.to_string())
    } else {
        HttpError::transport(error)
    }
}

fn too_large(limit: usize) -> HttpError {
    HttpError::ResponseTooLarge {
        limit,
        content_length: None,
    }
}

/// Sends `request` with async reqwest and reads its body, failing once it passes `limit`
/// bytes (if any).
#[cfg(feature = "reqwest")]
async fn send_async(
    client: &reqwest::Client,
    request: Request<Bytes>,
    limit: Option<usize>,
) -> Result<Response<Bytes>, HttpError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(HttpError::NoRuntime);
    }
    let request = reqwest::Request::try_from(request).map_err(map_error)?;
    let mut response = client.execute(request).await.map_err(map_error)?;
    let (status, version) = (response.status(), response.version());
    let headers = response.headers().clone();
    let body = match limit {
        None => response.bytes().await.map_err(map_error)?,
        Some(limit) => {
            check_content_length(&headers, limit)?;
            let mut body = bytes::BytesMut::new();
            while let Some(chunk) = response.chunk().await.map_err(map_error)? {
                if chunk.len() > limit - body.len() {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            body.freeze()
        }
    };
    Ok(response_parts(status, version, headers, body))
}

/// Async reqwest. It needs a tokio runtime when polled: outside one, the request fails with
/// [`HttpError::NoRuntime`] instead of panicking.
#[cfg(feature = "reqwest")]
impl HttpClient for reqwest::Client {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(send_async(self, request, None))
    }

    /// Refuses a `Content-Length` above `limit` before reading the body, and stops reading
    /// once more than `limit` bytes arrived (counted after reqwest's own decompression, when
    /// enabled).
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(send_async(self, request, Some(limit)))
    }
}

/// Blocking reqwest: the request runs when the future is first polled, on the polling
/// thread. Use it only where blocking is allowed (the SDK's own background threads); inside
/// an async runtime, reqwest refuses to block and the request fails.
#[cfg(feature = "reqwest-blocking")]
impl HttpClient for reqwest::blocking::Client {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(send_blocking(self, request, None))
    }

    /// Refuses a `Content-Length` above `limit` before reading the body, and reads at most
    /// `limit + 1` bytes of it.
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(send_blocking(self, request, Some(limit)))
    }
}

/// Sends `request` with blocking reqwest on the polling thread and reads its body, failing
/// once it passes `limit` bytes (if any).
#[cfg(feature = "reqwest-blocking")]
async fn send_blocking(
    client: &reqwest::blocking::Client,
    request: Request<Bytes>,
    limit: Option<usize>,
) -> Result<Response<Bytes>, HttpError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(HttpError::transport(
            "reqwest's blocking client cannot run inside an async runtime",
        ));
    }
    let request = reqwest::blocking::Request::try_from(request).map_err(map_error)?;
    let client = client.clone();
    // reqwest panics when asked to block inside a runtime it cannot see (async-std, say);
    // that must not reach the application.
    let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut response = client.execute(request).map_err(map_error)?;
        let (status, version) = (response.status(), response.version());
        let headers = response.headers().clone();
        let body = match limit {
            None => response.bytes().map_err(map_error)?,
            Some(limit) => {
                use std::io::Read;
                check_content_length(&headers, limit)?;
                let mut body = Vec::new();
                (&mut response)
                    .take(limit as u64 + 1)
                    .read_to_end(&mut body)
                    .map_err(HttpError::transport)?;
                if body.len() > limit {
                    return Err(too_large(limit));
                }
                Bytes::from(body)
            }
        };
        Ok(response_parts(status, version, headers, body))
    }));
    match sent {
        Ok(result) => result,
        Err(_) => Err(HttpError::transport(
            "reqwest's blocking client cannot run inside an async runtime",
        )),
    }
}
