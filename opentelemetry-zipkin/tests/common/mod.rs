//! Shared by the integration tests: a local HTTP receiver, spans with every field populated,
//! and a runner for the Python peers.
#![allow(dead_code)] // Each test binary uses a part.

use opentelemetry_api::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{InstrumentationScope, KeyValue, StringValue};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One request the receiver got.
#[derive(Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 server on 127.0.0.1 (OS-chosen port) answering every request with `status`
/// and handing the requests to the test. Its thread ends with the process.
pub struct Receiver {
    pub port: u16,
    requests: mpsc::Receiver<Received>,
}

impl Receiver {
    pub fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let (tx, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let tx = tx.clone();
                std::thread::spawn(move || serve(stream, status, tx));
            }
        });
        Receiver { port, requests }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v2/spans", self.port)
    }

    /// The next request, waiting up to 10 seconds.
    pub fn next(&self) -> Received {
        self.requests
            .recv_timeout(Duration::from_secs(10))
            .expect("no request reached the receiver within 10 s")
    }
}

fn serve(stream: TcpStream, status: u16, tx: mpsc::Sender<Received>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reason = if status < 300 { "OK" } else { "Error" };
        let answer = format!("HTTP/1.1 {status} {reason}\r\ncontent-length: 4\r\n\r\nnope");
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
        let _ = tx.send(Received {
            method,
            path,
            headers,
            body,
        });
    }
}

pub fn trace_id() -> TraceId {
    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
}

fn scope() -> &'static InstrumentationScope {
    Box::leak(Box::new(
        InstrumentationScope::builder("checkout-lib")
            .with_version("1.2.3")
            .build(),
    ))
}

pub const START_MICROS: u64 = 1_700_000_000_123_456;

fn at_micros(us: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(us)
}

/// A span of `kind` with every field populated.
pub fn span(n: u64, kind: SpanKind, attributes: Vec<KeyValue>) -> SpanData {
    SpanData {
        span_context: SpanContext::new(
            trace_id(),
            SpanId::from_bytes((0x1000 + n).to_be_bytes()),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        parent_span_is_remote: true,
        span_kind: kind,
        name: format!("span-{n}").into(),
        start_time: at_micros(START_MICROS + n),
        // 1234 µs and 567 ns: the 567 ns are truncated.
        end_time: at_micros(START_MICROS + n) + Duration::from_nanos(1_234_567),
        attributes,
        dropped_attributes_count: 2,
        events: SpanEvents {
            events: vec![
                Event {
                    name: "cache miss".into(),
                    timestamp: at_micros(START_MICROS + n + 10),
                    attributes: vec![KeyValue::new("key1", "value1"), KeyValue::new("retries", 3)],
                    dropped_attributes_count: 0,
                },
                Event {
                    name: "done".into(),
                    timestamp: at_micros(START_MICROS + n + 20),
                    attributes: vec![],
                    dropped_attributes_count: 0,
                },
            ],
            dropped_count: 3,
        },
        links: SpanLinks {
            links: vec![Link::new(
                SpanContext::new(
                    TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
                    SpanId::from_hex("b7ad6b7169203331").unwrap(),
                    TraceFlags::SAMPLED,
                    true,
                    TraceState::NONE,
                ),
                vec![KeyValue::new("link.kind", "follows")],
            )],
            dropped_count: 4,
        },
        status: Status::error("payment declined"),
        instrumentation_scope: scope(),
    }
}

/// Attributes of every kind.
pub fn every_attribute_kind() -> Vec<KeyValue> {
    vec![
        KeyValue::new("flag", true),
        KeyValue::new("count", -42i64),
        KeyValue::new("ratio", 0.25),
        KeyValue::new("text", "he said \"hi\"\n"),
        KeyValue::new("flags", vec![true, false]),
        KeyValue::new("counts", vec![1i64, 2, 3]),
        KeyValue::new("ratios", vec![1.5, -2.0]),
        KeyValue::new(
            "texts",
            vec![StringValue::from("a"), StringValue::from("b\"c")],
        ),
    ]
}

/// One span of each kind, with remote-endpoint attributes on the client and producer spans.
pub fn spans() -> Vec<SpanData> {
    let with = |extra: Vec<KeyValue>| {
        let mut attrs = every_attribute_kind();
        attrs.extend(extra);
        attrs
    };
    vec![
        span(1, SpanKind::Internal, with(vec![])),
        span(
            2,
            SpanKind::Server,
            with(vec![KeyValue::new("peer.service", "ignored-on-server")]),
        ),
        span(
            3,
            SpanKind::Client,
            with(vec![
                KeyValue::new("server.address", "db.internal"),
                KeyValue::new("peer.service", "payments"),
            ]),
        ),
        span(
            4,
            SpanKind::Producer,
            with(vec![
                KeyValue::new("network.peer.address", "10.1.2.3"),
                KeyValue::new("network.peer.port", 5672),
                KeyValue::new("db.name", "ranked-lower"),
            ]),
        ),
        span(
            5,
            SpanKind::Client,
            with(vec![KeyValue::new("server.address", "2001:db8::c001")]),
        ),
        span(6, SpanKind::Consumer, with(vec![])),
    ]
}

pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Runs `python3 script args...` with `stdin`, for at most 120 seconds; panics (the test
/// fails) when python3 or the script's packages are missing or it exits non-zero.
pub fn python(script: &str, args: &[&str], stdin: &[u8]) -> String {
    let mut child = Command::new("python3")
        .arg(peers_dir().join("peers").join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed (.ci/run installs the peers)");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    // Read both pipes on their own threads so that a large output cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{script} did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let output = std::process::Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A listener on 127.0.0.1 that accepts connections and never answers; returns its URL.
pub fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}/api/v2/spans")
}

/// Normalizes a Zipkin v2 JSON span to the shape `peers/decode_proto.py` prints, so that
/// both encodings are checked against the same expectations.
pub fn normalize_json_span(span: &serde_json::Value) -> serde_json::Value {
    use serde_json::{json, Value};
    let endpoint = |e: &Value| {
        if e.is_null() {
            return Value::Null;
        }
        json!({
            "service_name": e.get("serviceName").cloned().unwrap_or(json!("")),
            "ipv4": e.get("ipv4").cloned().unwrap_or(Value::Null),
            "ipv6": e.get("ipv6").cloned().unwrap_or(Value::Null),
            "port": e.get("port").cloned().unwrap_or(json!(0)),
        })
    };
    json!({
        "trace_id": span["traceId"],
        "parent_id": span.get("parentId").cloned().unwrap_or(json!("")),
        "id": span["id"],
        "kind": span.get("kind").cloned().unwrap_or(json!("SPAN_KIND_UNSPECIFIED")),
        "name": span["name"],
        "timestamp": span["timestamp"],
        "duration": span["duration"],
        "local_endpoint": endpoint(&span["localEndpoint"]),
        "remote_endpoint": endpoint(&span["remoteEndpoint"]),
        "annotations": span.get("annotations").cloned().unwrap_or(json!([])),
        "tags": span.get("tags").cloned().unwrap_or(json!({})),
        "debug": span.get("debug").cloned().unwrap_or(json!(false)),
        "shared": span.get("shared").cloned().unwrap_or(json!(false)),
    })
}

/// What span `n` of [`spans`] must become (in the normalized shape), exported with service
/// name `checkout`, namespace `shop` and service address 192.168.0.7:8080.
pub fn expected(n: u64) -> serde_json::Value {
    use serde_json::{json, Value};
    let (kind, remote) = match n {
        1 => ("SPAN_KIND_UNSPECIFIED", Value::Null),
        2 => ("SERVER", Value::Null),
        3 => (
            "CLIENT",
            json!({"service_name": "payments", "ipv4": null, "ipv6": null, "port": 0}),
        ),
        4 => (
            "PRODUCER",
            json!({"service_name": "", "ipv4": "10.1.2.3", "ipv6": null, "port": 5672}),
        ),
        5 => (
            "CLIENT",
            json!({"service_name": "", "ipv4": null, "ipv6": "2001:db8::c001", "port": 0}),
        ),
        6 => ("CONSUMER", Value::Null),
        _ => unreachable!(),
    };
    let mut tags = json!({
        "flag": "true",
        "count": "-42",
        "ratio": "0.25",
        "text": "he said \"hi\"\n",
        "flags": "[true,false]",
        "counts": "[1,2,3]",
        "ratios": "[1.5,-2]",
        "texts": "[\"a\",\"b\\\"c\"]",
        "otel.status_code": "ERROR",
        "error": "payment declined",
        "otel.scope.name": "checkout-lib",
        "otel.scope.version": "1.2.3",
        "otel.library.name": "checkout-lib",
        "otel.library.version": "1.2.3",
        "otel.dropped_attributes_count": "2",
        "otel.dropped_events_count": "3",
        "otel.dropped_links_count": "4",
        "service.namespace": "shop",
    });
    let extra: &[(&str, &str)] = match n {
        2 => &[("peer.service", "ignored-on-server")],
        3 => &[
            ("server.address", "db.internal"),
            ("peer.service", "payments"),
        ],
        4 => &[
            ("network.peer.address", "10.1.2.3"),
            ("network.peer.port", "5672"),
            ("db.name", "ranked-lower"),
        ],
        5 => &[("server.address", "2001:db8::c001")],
        _ => &[],
    };
    for (k, v) in extra {
        tags[*k] = json!(v);
    }
    json!({
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "parent_id": "00f067aa0ba902b7",
        "id": format!("{:016x}", 0x1000 + n),
        "kind": kind,
        "name": format!("span-{n}"),
        "timestamp": START_MICROS + n,
        "duration": 1234,
        "local_endpoint": {"service_name": "checkout", "ipv4": "192.168.0.7", "ipv6": null, "port": 8080},
        "remote_endpoint": remote,
        "annotations": [
            {"timestamp": START_MICROS + n + 10, "value": "\"cache miss\":{\"key1\":\"value1\",\"retries\":3}"},
            {"timestamp": START_MICROS + n + 20, "value": "done"},
        ],
        "tags": tags,
        "debug": false,
        "shared": false,
    })
}

/// Strings an array attribute must carry through the JSON text of its tag unchanged: a
/// quote, a backslash, control characters (escaped), DEL and non-ASCII text (verbatim).
pub const TRICKY_STRINGS: [&str; 4] =
    ["say \"hi\"", "ctl\u{1}\n\u{1f}\u{7f}", "é😀", "back\\slash"];

/// A span whose attributes are a string array of [`TRICKY_STRINGS`] (`names`) and a float
/// array with values JSON cannot hold as numbers (`floats`).
pub fn span_with_tricky_arrays() -> SpanData {
    use opentelemetry_api::{Array, Value};
    let names = Array::String(
        TRICKY_STRINGS
            .iter()
            .map(|s| StringValue::from(*s))
            .collect(),
    );
    let floats = Value::from(vec![1.0, 0.5, f64::NAN, f64::NEG_INFINITY, 1e21]);
    span(
        7,
        SpanKind::Internal,
        vec![
            KeyValue::new("names", names),
            KeyValue::new("floats", floats),
        ],
    )
}

/// Checks the tags [`span_with_tricky_arrays`] exported: each is JSON text that parses back
/// to the original values.
pub fn assert_tricky_tags(tags: &serde_json::Value) {
    let names = tags["names"].as_str().expect("the names tag is a string");
    let parsed: Vec<String> = serde_json::from_str(names)
        .unwrap_or_else(|e| panic!("the names tag is not a JSON array of strings ({e}): {names}"));
    assert_eq!(parsed, TRICKY_STRINGS);
    let floats = tags["floats"].as_str().expect("the floats tag is a string");
    assert_eq!(floats, r#"[1,0.5,"NaN","-Infinity",1e21]"#);
    let parsed: serde_json::Value = serde_json::from_str(floats).expect("valid JSON");
    assert_eq!(
        parsed,
        serde_json::json!([1, 0.5, "NaN", "-Infinity", 1e21])
    );
}
