//! The `/metrics` endpoint over real TCP: content negotiation, and bad requests answered
//! without harm.

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_prometheus::exporter;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

fn send(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw).unwrap();
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn served() -> (opentelemetry_prometheus::MetricsServer, SdkMeterProvider) {
    let exporter = exporter().without_scope_info().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.reader())
        .build();
    provider.meter("m").u64_counter("hits").build().add(9, &[]);
    (exporter.serve_on("127.0.0.1:0").unwrap(), provider)
}

#[test]
fn metrics_are_served_in_the_negotiated_format() {
    let (server, _p) = served();
    let addr = server.local_addr();
    let text = send(addr, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(
        text.contains("Content-Type: text/plain; version=0.0.4"),
        "{text}"
    );
    assert!(
        text.ends_with("\n# TYPE hits_total counter\nhits_total 9\n"),
        "{text}"
    );
    let body_len = text.split_once("\r\n\r\n").unwrap().1.len();
    assert!(
        text.contains(&format!("Content-Length: {body_len}\r\n")),
        "{text}"
    );

    let om = send(
        addr,
        b"GET /metrics?x=1 HTTP/1.1\r\nAccept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n\r\n",
    );
    assert!(
        om.contains("Content-Type: application/openmetrics-text; version=1.0.0"),
        "{om}"
    );
    assert!(
        om.contains("\nhits_total 9\n") && om.ends_with("# EOF\n"),
        "{om}"
    );

    let head = send(addr, b"HEAD /metrics HTTP/1.1\r\n\r\n");
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\n") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    server.shutdown();
}

#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let (server, _p) = served();
    let addr = server.local_addr();
    assert!(send(addr, b"GET /other HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
    assert!(send(addr, b"POST /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405"));
    assert!(send(addr, b"garbage\r\n\r\n").starts_with("HTTP/1.1 400"));
    assert!(send(addr, b"\xff\xfe\r\n\r\n").starts_with("HTTP/1.1 400"));
    assert!(send(addr, &[b'a'; 20_000]).starts_with("HTTP/1.1 400"));
    // A client that closes before finishing its request.
    drop(TcpStream::connect(addr).unwrap());
    assert!(send(addr, b"GET /metrics HTTP/1.0\r\n\r\n").contains("\nhits_total 9\n"));
    server.shutdown();
}

#[test]
fn a_busy_port_is_an_error() {
    let (server, _p) = served();
    let taken = server.local_addr();
    let e = exporter().build();
    assert!(matches!(
        e.serve_on(taken),
        Err(opentelemetry_prometheus::Error::Bind(_))
    ));
}
