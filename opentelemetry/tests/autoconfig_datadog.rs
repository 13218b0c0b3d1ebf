//! `OTEL_TRACES_EXPORTER=datadog` and `OTEL_PROPAGATORS=datadog` (feature `datadog`). Each test
//! runs in its own process (nextest).
#![cfg(feature = "datadog")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use opentelemetry::trace::{Span, TraceContextExt, Tracer};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn datadog_exporter_and_propagator_from_the_environment() {
    // A minimal agent: records the request line of each POST and answers 200.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = tx.send(head.lines().next().unwrap_or_default().to_string());
        }
    });
    std::env::set_var("OTEL_TRACES_EXPORTER", "datadog");
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "none");
    std::env::set_var("OTEL_PROPAGATORS", "datadog");
    std::env::set_var("DD_TRACE_AGENT_URL", format!("http://127.0.0.1:{port}"));

    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_some());
    let mut span = global::tracer("t").start("x");
    let cx = opentelemetry::Context::new().with_remote_span_context(span.span_context().clone());
    let mut headers = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut headers));
    assert!(headers.contains_key("x-datadog-trace-id"), "{headers:?}");
    assert!(headers.contains_key("x-datadog-parent-id"), "{headers:?}");
    span.end();
    telemetry.force_flush().unwrap();
    let request = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(request, "POST /v0.5/traces HTTP/1.1");
    // Only the Datadog propagator is installed.
    let fields: Vec<String> =
        global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect());
    assert_eq!(fields.len(), 5, "{fields:?}");
    assert!(
        fields.iter().all(|f| f.starts_with("x-datadog-")),
        "{fields:?}"
    );
}
