//! A small HTTP/1.1 server for the `/metrics` endpoint, on a background thread.
//!
//! It is hand-written on `std::net` rather than built on hyper: a scrape endpoint answers
//! one GET at a time, and this keeps the exporter free of an async runtime and of the
//! hyper/tokio dependency tree. Each connection is served in turn with 5 s read and write
//! timeouts and closed after one response; malformed requests get a 4xx answer, never a
//! panic.

use crate::{Error, Format, PrometheusExporter};
use opentelemetry_api::otel_debug;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a client may take to send its request or read the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// The running `/metrics` endpoint; stops (and joins its thread) when dropped or on
/// [`shutdown`](MetricsServer::shutdown).
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    pub(crate) fn start(
        addr: impl ToSocketAddrs,
        exporter: PrometheusExporter,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(addr).map_err(Error::Bind)?;
        let addr = listener.local_addr().map_err(Error::Bind)?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("otel-prometheus-server".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if flag.load(Ordering::Acquire) {
                        break;
                    }
                    match stream {
                        Ok(stream) => serve_connection(stream, &exporter),
                        Err(err) => {
                            otel_debug!("PrometheusServer.AcceptFailed", "accept failed: {err}")
                        }
                    }
                }
            })
            .map_err(Error::Thread)?;
        Ok(MetricsServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address the server listens on (with the port the OS chose when asked for 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.stop.store(true, Ordering::Release);
        // Wake the blocking accept with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
            let _ = thread.join();
        }
        // Otherwise the thread stays parked in accept; it holds no lock and exits with the
        // process.
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// A parsed request head.
#[derive(Debug, PartialEq)]
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) accept: Option<&'a str>,
}

/// Parses `METHOD target HTTP/1.x` and the headers; `None` if malformed.
pub(crate) fn parse_head(head: &str) -> Option<Request<'_>> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next().filter(|m| !m.is_empty())?;
    let target = first.next()?;
    let version = first.next()?;
    if first.next().is_some() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let path = target.split('?').next().unwrap_or(target);
    let mut accept = None;
    for line in lines {
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("accept") {
            accept = Some(value.trim());
        }
    }
    Some(Request {
        method,
        path,
        accept,
    })
}

fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end + 2);
            return String::from_utf8(buf).ok();
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &str, head_only: bool) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(body.as_bytes());
    }
    let _ = stream.flush();
}

fn serve_connection(mut stream: TcpStream, exporter: &PrometheusExporter) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let plain = "text/plain; charset=utf-8";
    match read_head(&mut stream) {
        None => respond(
            &mut stream,
            "400 Bad Request",
            plain,
            "bad request\n",
            false,
        ),
        Some(head) => match parse_head(&head) {
            None => respond(
                &mut stream,
                "400 Bad Request",
                plain,
                "bad request\n",
                false,
            ),
            Some(req) if req.method != "GET" && req.method != "HEAD" => respond(
                &mut stream,
                "405 Method Not Allowed",
                plain,
                "only GET\n",
                false,
            ),
            Some(req) if req.path != "/metrics" => respond(
                &mut stream,
                "404 Not Found",
                plain,
                "metrics are at /metrics\n",
                false,
            ),
            Some(req) => {
                let format = Format::negotiate(req.accept);
                let body = exporter.render_format(format);
                respond(
                    &mut stream,
                    "200 OK",
                    format.content_type(),
                    &body,
                    req.method == "HEAD",
                );
            }
        },
    }
    let _ = stream.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_are_parsed() {
        let r = parse_head("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nACCEPT: text/plain\r\n\r\n")
            .unwrap();
        assert_eq!(
            r,
            Request {
                method: "GET",
                path: "/metrics",
                accept: Some("text/plain")
            }
        );
        assert_eq!(
            parse_head("GET /metrics HTTP/1.0\r\n\r\n").unwrap().accept,
            None
        );
    }

    #[test]
    fn malformed_heads_are_refused() {
        for bad in [
            "",
            "GET\r\n",
            "GET /metrics\r\n",
            "GET /metrics SPDY/3\r\n",
            "GET / HTTP/1.1 x\r\n",
            "GET / HTTP/1.1\r\nno-colon\r\n",
        ] {
            assert_eq!(parse_head(bad), None, "{bad:?}");
        }
    }
}
