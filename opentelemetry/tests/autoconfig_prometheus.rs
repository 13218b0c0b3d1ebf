//! `OTEL_METRICS_EXPORTER=prometheus` registers the Prometheus reader and serves `/metrics`
//! on `OTEL_EXPORTER_PROMETHEUS_HOST`:`OTEL_EXPORTER_PROMETHEUS_PORT` until the guard drops.
#![cfg(feature = "prometheus")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn scrape(port: u16) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

#[test]
fn prometheus_exporter_serves_the_global_meters_metrics() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "none");
    std::env::set_var("OTEL_METRICS_EXPORTER", "prometheus");
    std::env::set_var("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1");
    std::env::set_var("OTEL_EXPORTER_PROMETHEUS_PORT", port.to_string());
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.meter_provider().is_some());
    global::meter("auto")
        .u64_counter("orders")
        .build()
        .add(4, &[]);
    let body = scrape(port).unwrap();
    assert!(body.starts_with("HTTP/1.1 200 OK"), "{body}");
    assert!(
        body.contains("\norders_total{otel_scope_name=\"auto\"} 4\n"),
        "{body}"
    );
    drop(telemetry);
    // The server stops with the guard.
    assert!(scrape(port).is_err());
}
