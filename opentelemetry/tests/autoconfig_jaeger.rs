//! `autoconfig` with the `jaeger` feature. Each test runs in its own process (nextest).
#![cfg(feature = "jaeger")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use opentelemetry::trace::{Span, TraceContextExt, Tracer};
use opentelemetry::Context;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::time::{Duration, Instant};

#[test]
fn jaeger_exporter_defaults_to_the_agent() {
    let agent = UdpSocket::bind("127.0.0.1:0").unwrap();
    agent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    std::env::set_var("OTEL_TRACES_EXPORTER", "jaeger");
    std::env::remove_var("OTEL_EXPORTER_JAEGER_ENDPOINT");
    std::env::set_var("OTEL_EXPORTER_JAEGER_AGENT_HOST", "127.0.0.1");
    std::env::set_var(
        "OTEL_EXPORTER_JAEGER_AGENT_PORT",
        agent.local_addr().unwrap().port().to_string(),
    );
    std::env::set_var("OTEL_SERVICE_NAME", "auto-svc");
    let telemetry = AutoConfig::from_env()
        .with_default_exporter("none")
        .install();
    global::tracer("t").start("via-agent").end();
    telemetry.force_flush().unwrap();
    let mut buf = [0u8; 65_536];
    let n = agent.recv(&mut buf).unwrap();
    let datagram = &buf[..n];
    assert_eq!(&datagram[..2], [0x82, 0x81], "a compact oneway call");
    let has = |s: &[u8]| datagram.windows(s.len()).any(|w| w == s);
    assert!(has(b"emitBatch") && has(b"via-agent") && has(b"auto-svc"));
    telemetry.shutdown().unwrap();
}

#[test]
fn jaeger_exporter_posts_to_the_collector_when_its_endpoint_is_set() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            head.push(line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        stream
            .write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        (head, body)
    });
    std::env::set_var("OTEL_TRACES_EXPORTER", "jaeger");
    std::env::set_var(
        "OTEL_EXPORTER_JAEGER_ENDPOINT",
        format!("http://127.0.0.1:{port}/api/traces"),
    );
    std::env::set_var("OTEL_EXPORTER_JAEGER_USER", "u");
    std::env::set_var("OTEL_EXPORTER_JAEGER_PASSWORD", "p");
    std::env::set_var("OTEL_EXPORTER_JAEGER_TIMEOUT", "5000");
    let telemetry = AutoConfig::from_env()
        .with_default_exporter("none")
        .install();
    global::tracer("t").start("via-collector").end();
    telemetry.force_flush().unwrap();
    let (head, body) = server.join().unwrap();
    assert!(head[0].starts_with("POST /api/traces "), "{head:?}");
    let head = head.join("").to_ascii_lowercase();
    assert!(
        head.contains("content-type: application/x-thrift"),
        "{head}"
    );
    assert!(head.contains("authorization: basic dtpw"), "{head}");
    assert!(body.windows(13).any(|w| w == b"via-collector"));
    telemetry.shutdown().unwrap();
}

#[test]
fn jaeger_propagator_is_installed() {
    std::env::set_var("OTEL_PROPAGATORS", "jaeger,tracecontext");
    let _telemetry = AutoConfig::from_env()
        .with_default_exporter("none")
        .install();
    let fields: Vec<String> =
        global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect());
    assert_eq!(fields, ["uber-trace-id", "traceparent", "tracestate"]);
    let headers = HashMap::from([(
        "uber-trace-id".to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1".to_string(),
    )]);
    let cx = global::get_text_map_propagator(|p| p.extract(&headers));
    assert!(cx.span().span_context().is_sampled());
    let mut out = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut out));
    assert_eq!(out["uber-trace-id"], headers["uber-trace-id"]);
    assert_eq!(
        out["traceparent"],
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    );
}

/// A strategies server answering every request with `body`.
fn strategies_server(body: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn jaeger_remote_sampler_starts_with_the_initial_rate_then_follows_the_endpoint() {
    let port = strategies_server(r#"{"probabilisticSampling":{"samplingRate":1.0}}"#);
    std::env::set_var("OTEL_TRACES_EXPORTER", "console");
    std::env::set_var("OTEL_TRACES_SAMPLER", "jaeger_remote");
    std::env::set_var(
        "OTEL_TRACES_SAMPLER_ARG",
        format!("endpoint=http://127.0.0.1:{port},pollingIntervalMs=50,initialSamplingRate=0"),
    );
    let telemetry = AutoConfig::from_env().install();
    let tracer = global::tracer("t");
    // The first poll may not be done yet: wait until spans are sampled (rate 1.0 served).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let span = tracer.start("op");
        if span.span_context().is_sampled() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the served strategy never applied"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(telemetry);
}

#[test]
fn jaeger_remote_sampler_falls_back_to_the_initial_rate_while_unreachable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::env::set_var("OTEL_TRACES_EXPORTER", "console");
    std::env::set_var("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote");
    std::env::set_var(
        "OTEL_TRACES_SAMPLER_ARG",
        format!("endpoint=http://127.0.0.1:{port},initialSamplingRate=0"),
    );
    let telemetry = AutoConfig::from_env().install();
    let tracer = global::tracer("t");
    for _ in 0..20 {
        assert!(!tracer.start("op").span_context().is_sampled());
    }
    // Parent-based: a sampled remote parent is followed.
    let parent = Context::new().with_remote_span_context(opentelemetry::trace::SpanContext::new(
        opentelemetry::trace::TraceId::from(1u128),
        opentelemetry::trace::SpanId::from(2u64),
        opentelemetry::trace::TraceFlags::SAMPLED,
        true,
        Default::default(),
    ));
    assert!(tracer
        .start_with_context("child", &parent)
        .span_context()
        .is_sampled());
    drop(telemetry);
}
