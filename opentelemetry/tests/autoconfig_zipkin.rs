//! `autoconfig` with the `zipkin` feature: `OTEL_TRACES_EXPORTER=zipkin` exports through a
//! batch processor to `OTEL_EXPORTER_ZIPKIN_ENDPOINT`; `OTEL_PROPAGATORS=b3,b3multi` installs
//! the B3 propagators. Each test runs in its own process (nextest).
#![cfg(feature = "zipkin")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use opentelemetry::trace::{Span, SpanContext, TraceContextExt, Tracer};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// A one-shot HTTP/1.1 receiver on 127.0.0.1: returns its URL and the channel of bodies.
fn receiver() -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut request_line = String::new();
                while reader.read_line(&mut request_line).unwrap_or(0) > 0 {
                    let mut len = 0;
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).unwrap();
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            if k.eq_ignore_ascii_case("content-length") {
                                len = v.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).unwrap();
                    writer
                        .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n")
                        .unwrap();
                    let _ = tx.send((
                        request_line.clone(),
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    request_line.clear();
                }
            });
        }
    });
    (format!("http://127.0.0.1:{port}/api/v2/spans"), rx)
}

#[test]
fn zipkin_exporter_and_b3_propagators_from_the_environment() {
    let (url, bodies) = receiver();
    std::env::set_var("OTEL_TRACES_EXPORTER", "zipkin");
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "none");
    std::env::set_var("OTEL_EXPORTER_ZIPKIN_ENDPOINT", &url);
    std::env::set_var("OTEL_SERVICE_NAME", "autoconfig-svc");
    std::env::set_var("OTEL_PROPAGATORS", "b3,b3multi");
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_some());

    let fields: Vec<String> =
        global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect());
    assert_eq!(
        fields,
        [
            "b3",
            "x-b3-traceid",
            "x-b3-spanid",
            "x-b3-sampled",
            "x-b3-flags"
        ]
    );

    let mut span = global::tracer("autoconfig-test").start("zipkin-span");
    let sc: SpanContext = span.span_context().clone();
    let cx = opentelemetry::Context::new().with_remote_span_context(sc.clone());
    let mut headers = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut headers));
    let trace_hex = String::from_utf8(sc.trace_id().to_hex().to_vec()).unwrap();
    let span_hex = String::from_utf8(sc.span_id().to_hex().to_vec()).unwrap();
    assert_eq!(headers["b3"], format!("{trace_hex}-{span_hex}-1"));
    assert_eq!(headers["x-b3-traceid"], trace_hex);
    assert_eq!(headers["x-b3-sampled"], "1");
    span.end();

    // Shutting down flushes the batch processor.
    telemetry.shutdown().unwrap();
    let (request_line, body) = bodies.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        request_line.starts_with("POST /api/v2/spans "),
        "{request_line}"
    );
    assert!(body.contains("\"name\":\"zipkin-span\""), "{body}");
    assert!(
        body.contains("\"localEndpoint\":{\"serviceName\":\"autoconfig-svc\"}"),
        "{body}"
    );
    assert!(
        body.contains(&format!("\"traceId\":\"{trace_hex}\"")),
        "{body}"
    );
}

#[test]
fn b3_alone_injects_the_single_header() {
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    std::env::set_var("OTEL_METRICS_EXPORTER", "none");
    std::env::set_var("OTEL_LOGS_EXPORTER", "none");
    std::env::set_var("OTEL_PROPAGATORS", "b3");
    let _telemetry = AutoConfig::from_env().install();
    let fields: Vec<String> =
        global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect());
    assert_eq!(fields, ["b3"]);
    let incoming = HashMap::from([
        (
            "X-B3-TraceId".to_string(),
            "80f198ee56343ba864fe8b2a57d3eff7".to_string(),
        ),
        ("X-B3-SpanId".to_string(), "e457b5a2e4d86bd1".to_string()),
        ("X-B3-Flags".to_string(), "1".to_string()),
    ]);
    let cx = global::get_text_map_propagator(|p| p.extract(&incoming));
    assert!(cx.span().span_context().is_sampled());
    let mut out = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut out));
    assert_eq!(
        out,
        HashMap::from([(
            "b3".to_string(),
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d".to_string()
        )])
    );
}
