//! [`HttpClient`] for reqwest's clients.

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

/// Async reqwest. It needs a tokio runtime when polled: outside one, the request fails with
/// [`HttpError::NoRuntime`] instead of panicking.
#[cfg(feature = "reqwest")]
impl HttpClient for reqwest::Client {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        Box::pin(async move {
            if tokio::runtime::Handle::try_current().is_err() {
                return Err(HttpError::NoRuntime);
            }
            let request = reqwest::Request::try_from(request).map_err(map_error)?;
            let response = self.execute(request).await.map_err(map_error)?;
            let (status, version) = (response.status(), response.version());
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(map_error)?;
            Ok(response_parts(status, version, headers, body))
        })
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
        Box::pin(async move {
            if tokio::runtime::Handle::try_current().is_ok() {
                return Err(HttpError::transport(
                    "reqwest's blocking client cannot run inside an async runtime",
                ));
            }
            let request = reqwest::blocking::Request::try_from(request).map_err(map_error)?;
            let client = self.clone();
            // reqwest panics when asked to block inside a runtime it cannot see (async-std, say);
            // that must not reach the application.
            let sent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let response = client.execute(request)?;
                let (status, version) = (response.status(), response.version());
                let headers = response.headers().clone();
                let body = response.bytes()?;
                Ok::<_, reqwest::Error>(response_parts(status, version, headers, body))
            }));
            match sent {
                Ok(result) => result.map_err(map_error),
                Err(_) => Err(HttpError::transport(
                    "reqwest's blocking client cannot run inside an async runtime",
                )),
            }
        })
    }
}
