//! A minimal blocking HTTP/1.1 client for metadata endpoints.
//!
//! Detectors run once, synchronously, at start-up, and talk to link-local plain-HTTP endpoints
//! (EC2's instance metadata service, ECS's task metadata endpoint) or, for EKS, to the
//! Kubernetes API over HTTPS with the service account's CA. A `std::net::TcpStream` with a hard
//! deadline on connect, every write and every read does this without starting an async runtime
//! or a thread, and lets no request outlive the detector's timeout.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest response body read; metadata documents are a few kilobytes.
const MAX_RESPONSE: usize = 1 << 20;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("invalid URL {0:?}")]
    Url(String),
    #[error("timed out")]
    Timeout,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    #[error("malformed HTTP response")]
    Malformed,
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("response larger than {MAX_RESPONSE} bytes")]
    TooLarge,
}

/// Parts of an `http://` or `https://` URL.
#[derive(Debug)]
struct Url<'a> {
    tls: bool,
    host: &'a str,
    port: u16,
    path: &'a str,
}

fn parse_url(url: &str) -> Result<Url<'_>, HttpError> {
    let bad = || HttpError::Url(url.to_owned());
    let (tls, rest) = if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else {
        return Err(bad());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let default_port = if tls { 443 } else { 80 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(bad)?;
        match after.strip_prefix(':') {
            Some(p) => (h, p.parse().map_err(|_| bad())?),
            None if after.is_empty() => (h, default_port),
            None => return Err(bad()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
            None => (authority, default_port),
        }
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok(Url {
        tls,
        host,
        port,
        path,
    })
}

/// A TLS client configuration trusting only the certificates of one PEM file.
pub(crate) fn tls_config(ca_file: &Path) -> Result<Arc<rustls::ClientConfig>, HttpError> {
    let mut roots = rustls::RootCertStore::empty();
    let certs =
        CertificateDer::pem_file_iter(ca_file).map_err(|e| HttpError::Tls(e.to_string()))?;
    for cert in certs {
        let cert = cert.map_err(|e| HttpError::Tls(e.to_string()))?;
        roots.add(cert).map_err(|e| HttpError::Tls(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A complete response with a 2xx status.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) body: Vec<u8>,
}

/// Sends one request (`Connection: close`, no body) and reads the whole response, all before
/// `deadline`. A status outside 2xx is an error.
pub(crate) fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    deadline: Instant,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> Result<Response, HttpError> {
    let u = parse_url(url)?;
    let remaining = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(HttpError::Timeout)
    };
    let mut last_err = None;
    let mut stream = None;
    for addr in (u.host, u.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, remaining()?) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_err = Some(e),
        }
    }
    let stream = match (stream, last_err) {
        (Some(s), _) => s,
        (None, Some(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
            return Err(HttpError::Timeout)
        }
        (None, Some(e)) => return Err(e.into()),
        (None, None) => return Err(HttpError::Url(url.to_owned())),
    };
    stream.set_nodelay(true)?;
    let host_header = if u.host.contains(':') {
        format!("[{}]:{}", u.host, u.port)
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\nAccept: */*\r\n",
        u.path
    );
    if method != "GET" {
        head.push_str("Content-Length: 0\r\n");
    }
    for (k, v) in headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");

    let raw = if u.tls {
        let config = tls
            .cloned()
            .ok_or_else(|| HttpError::Tls("no CA for an https URL".into()))?;
        let name =
            ServerName::try_from(u.host.to_owned()).map_err(|e| HttpError::Tls(e.to_string()))?;
        let conn = rustls::ClientConnection::new(config, name)
            .map_err(|e| HttpError::Tls(e.to_string()))?;
        let mut tls_stream = rustls::StreamOwned::new(conn, stream);
        exchange(&mut tls_stream, head.as_bytes(), deadline, |s, d| {
            s.sock.set_read_timeout(Some(d))?;
            s.sock.set_write_timeout(Some(d))
        })?
    } else {
        let mut stream = stream;
        exchange(&mut stream, head.as_bytes(), deadline, |s, d| {
            s.set_read_timeout(Some(d))?;
            s.set_write_timeout(Some(d))
        })?
    };
    parse_response(&raw)
}

/// Writes the request and reads until the peer closes, re-arming the socket timeouts to the
/// time left before each call.
fn exchange<S: Read + Write>(
    stream: &mut S,
    request: &[u8],
    deadline: Instant,
    set_timeouts: impl Fn(&S, Duration) -> std::io::Result<()>,
) -> Result<Vec<u8>, HttpError> {
    let remaining = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(HttpError::Timeout)
    };
    let timed_out = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => HttpError::Timeout,
        _ => HttpError::Io(e),
    };
    set_timeouts(stream, remaining()?)?;
    stream.write_all(request).map_err(timed_out)?;
    stream.flush().map_err(timed_out)?;
    let mut out = Vec::with_capacity(4096);
    let mut buf = [0u8; 4096];
    loop {
        set_timeouts(stream, remaining()?)?;
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.len() > MAX_RESPONSE + 16 * 1024 {
                    return Err(HttpError::TooLarge);
                }
                // A server that keeps the connection open despite `Connection: close` has
                // still sent everything once the framing says so.
                if response_complete(&out) {
                    return Ok(out);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A TLS peer that closes without close_notify has still sent a complete response
            // when the framing says so; parse_response checks the framing.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(out),
            Err(e) => return Err(timed_out(e)),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether `raw` holds a whole response by its own framing (`Content-Length` or chunked);
/// without either, only the end of the stream ends it.
fn response_complete(raw: &[u8]) -> bool {
    let Some(head_end) = find(raw, b"\r\n\r\n") else {
        return false;
    };
    let Ok(head) = std::str::from_utf8(&raw[..head_end]) else {
        return false;
    };
    let body = &raw[head_end + 4..];
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            return value
                .trim()
                .parse::<usize>()
                .is_ok_and(|len| body.len() >= len);
        }
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return decode_chunked(body).is_ok();
        }
    }
    false
}

fn parse_response(raw: &[u8]) -> Result<Response, HttpError> {
    let head_end = find(raw, b"\r\n\r\n").ok_or(HttpError::Malformed)?;
    let head = std::str::from_utf8(&raw[..head_end]).map_err(|_| HttpError::Malformed)?;
    let body = &raw[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or(HttpError::Malformed)?;
    let mut parts = status_line.splitn(3, ' ');
    if !parts.next().is_some_and(|v| v.starts_with("HTTP/1.")) {
        return Err(HttpError::Malformed);
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(HttpError::Malformed)?;
    let mut content_length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(HttpError::Malformed);
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(value.parse::<usize>().map_err(|_| HttpError::Malformed)?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        }
    }
    if !(200..300).contains(&status) {
        return Err(HttpError::Status(status));
    }
    let body = if chunked {
        decode_chunked(body)?
    } else if let Some(len) = content_length {
        if body.len() < len {
            return Err(HttpError::Malformed);
        }
        body[..len].to_vec()
    } else {
        body.to_vec()
    };
    if body.len() > MAX_RESPONSE {
        return Err(HttpError::TooLarge);
    }
    Ok(Response { body })
}

fn decode_chunked(mut data: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    loop {
        let line_end = find(data, b"\r\n").ok_or(HttpError::Malformed)?;
        let size_line = std::str::from_utf8(&data[..line_end]).map_err(|_| HttpError::Malformed)?;
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| HttpError::Malformed)?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 || out.len() + size > MAX_RESPONSE {
            return Err(HttpError::Malformed);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = parse_url("http://169.254.169.254/latest/api/token").unwrap();
        assert_eq!(
            (u.tls, u.host, u.port, u.path),
            (false, "169.254.169.254", 80, "/latest/api/token")
        );
        let u = parse_url("https://kubernetes.default.svc").unwrap();
        assert_eq!(
            (u.tls, u.host, u.port, u.path),
            (true, "kubernetes.default.svc", 443, "/")
        );
        let u = parse_url("http://[fd00:ec2::254]:8080/x").unwrap();
        assert_eq!((u.host, u.port, u.path), ("fd00:ec2::254", 8080, "/x"));
        for bad in ["ftp://x", "http://", "http://h:port/", "http://[::1/"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn responses() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiXX").unwrap();
        assert_eq!(r.body, b"hi");
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.body, b"abcde");
        let r = parse_response(b"HTTP/1.0 204 No Content\r\n\r\n").unwrap();
        assert!(r.body.is_empty());
        assert!(matches!(
            parse_response(b"HTTP/1.1 401 Unauthorized\r\n\r\n"),
            Err(HttpError::Status(401))
        ));
        for bad in [
            &b"garbage"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"SSH-2.0 x\r\n\r\n",
        ] {
            assert!(parse_response(bad).is_err());
        }
    }
}
