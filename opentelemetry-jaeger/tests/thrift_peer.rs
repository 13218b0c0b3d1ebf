//! The exporters against receivers generated from the official Jaeger IDL: Debian's
//! `thrift-compiler` generates Python code from `idl/*.thrift`, PyPI `thrift` decodes what
//! we send (`tests/peer/jaeger_peer.py`). `.ci/run` installs both; the tests fail without them.

use opentelemetry_api::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_jaeger::{AgentExporter, CollectorExporter};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanExporter, SpanLinks};
use opentelemetry_sdk::Resource;
use serde_json::{json, Value as Json};
use std::borrow::Cow;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peer/jaeger_peer.py");
const IDL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/idl");

struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Peer {
    fn start(mode: &str) -> Peer {
        let mut child = Command::new("python3")
            .args([SCRIPT, mode, IDL])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 must be installed (.ci/run)");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let first: Json = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("the peer did not start ({e}): is thrift-compiler and PyPI thrift installed?")
        });
        let port = first["port"].as_u64().unwrap() as u16;
        Peer {
            child,
            stdin,
            stdout,
            port,
        }
    }

    /// Closes the peer's stdin and returns every message it decoded.
    fn finish(mut self) -> Vec<Json> {
        // Leave the datagrams time to reach the socket before the peer drains it.
        std::thread::sleep(Duration::from_millis(300));
        drop(self.stdin.take());
        let mut out = Vec::new();
        let mut line = String::new();
        while self.stdout.read_line(&mut line).unwrap() > 0 {
            out.push(serde_json::from_str(&line).unwrap());
            line.clear();
        }
        let status = self.child.wait().unwrap();
        assert!(status.success(), "peer failed: {status}");
        out
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scope() -> &'static InstrumentationScope {
    Box::leak(Box::new(
        InstrumentationScope::builder("peer-test")
            .with_version("1.2.3")
            .with_attributes([KeyValue::new("scope.attr", "sv")])
            .build(),
    ))
}

const TRACE: u128 = 0x0102030405060708_f1f2f3f4f5f6f7f8;

fn at(micros: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(micros)
}

/// A span with every field set.
fn full_span() -> SpanData {
    let link = SpanContext::new(
        TraceId::from(0xaau128),
        SpanId::from(0xbbu64),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    );
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(TRACE),
            SpanId::from(0x1122334455667788u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::from(0x99u64),
        parent_span_is_remote: false,
        span_kind: SpanKind::Server,
        name: Cow::Borrowed("GET /items"),
        start_time: at(1_700_000_000_000_000),
        end_time: at(1_700_000_000_001_500),
        attributes: vec![
            KeyValue::new("s", "text"),
            KeyValue::new("i", -7i64),
            KeyValue::new("f", 1.5),
            KeyValue::new("b", false),
            KeyValue::new("arr", vec![1i64, 2]),
        ],
        dropped_attributes_count: 2,
        events: SpanEvents {
            events: vec![Event {
                name: Cow::Borrowed("cache miss"),
                timestamp: at(1_700_000_000_000_700),
                attributes: vec![KeyValue::new("key", "k1")],
                dropped_attributes_count: 1,
            }],
            dropped_count: 3,
        },
        links: SpanLinks {
            links: vec![Link::new(link, vec![])],
            dropped_count: 4,
        },
        status: Status::error("boom"),
        instrumentation_scope: scope(),
    }
}

fn resource() -> Resource {
    Resource::builder_empty()
        .with_service_name("checkout")
        .with_attribute(KeyValue::new("host.name", "box"))
        .build()
}

fn tag(tags: &Json, key: &str) -> Json {
    tags.as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .cloned()
        .unwrap_or_else(|| panic!("no tag {key} in {tags}"))
}

/// The decoded span matches `full_span` field by field.
fn check_full_span(batch: &Json) {
    assert_eq!(batch["process"]["serviceName"], "checkout");
    assert_eq!(
        batch["process"]["tags"],
        json!([{"key": "host.name", "vType": 0, "vStr": "box"}])
    );
    let span = &batch["spans"][0];
    assert_eq!(span["traceIdHigh"], 0x0102030405060708i64);
    assert_eq!(span["traceIdLow"], 0xf1f2f3f4f5f6f7f8u64 as i64);
    assert_eq!(span["spanId"], 0x1122334455667788i64);
    assert_eq!(span["parentSpanId"], 0x99);
    assert_eq!(span["operationName"], "GET /items");
    assert_eq!(span["flags"], 1);
    assert_eq!(span["startTime"], 1_700_000_000_000_000i64);
    assert_eq!(span["duration"], 1500);
    assert_eq!(
        span["references"],
        json!([
            {"refType": 0, "traceIdLow": 0xf1f2f3f4f5f6f7f8u64 as i64, "traceIdHigh": 0x0102030405060708i64, "spanId": 0x99},
            {"refType": 1, "traceIdLow": 0xaa, "traceIdHigh": 0, "spanId": 0xbb},
        ])
    );
    let tags = &span["tags"];
    assert_eq!(
        tag(tags, "s"),
        json!({"key": "s", "vType": 0, "vStr": "text"})
    );
    assert_eq!(tag(tags, "i"), json!({"key": "i", "vType": 3, "vLong": -7}));
    assert_eq!(
        tag(tags, "f"),
        json!({"key": "f", "vType": 1, "vDouble": 1.5})
    );
    assert_eq!(
        tag(tags, "b"),
        json!({"key": "b", "vType": 2, "vBool": false})
    );
    assert_eq!(tag(tags, "arr")["vStr"], "[1,2]");
    assert_eq!(tag(tags, "span.kind")["vStr"], "server");
    assert_eq!(tag(tags, "otel.scope.name")["vStr"], "peer-test");
    assert_eq!(tag(tags, "otel.scope.version")["vStr"], "1.2.3");
    assert_eq!(tag(tags, "otel.library.name")["vStr"], "peer-test");
    assert_eq!(tag(tags, "otel.library.version")["vStr"], "1.2.3");
    assert_eq!(tag(tags, "otel.status_code")["vStr"], "ERROR");
    assert_eq!(tag(tags, "otel.status_description")["vStr"], "boom");
    assert_eq!(
        tag(tags, "error"),
        json!({"key": "error", "vType": 2, "vBool": true})
    );
    assert_eq!(tag(tags, "otel.dropped_attributes_count")["vLong"], 2);
    assert_eq!(tag(tags, "otel.dropped_events_count")["vLong"], 3);
    assert_eq!(tag(tags, "otel.dropped_links_count")["vLong"], 4);
    assert_eq!(tag(tags, "scope.attr")["vStr"], "sv");
    assert_eq!(tags.as_array().unwrap().len(), 5 + 1 + 11);
    assert_eq!(
        span["logs"],
        json!([{
            "timestamp": 1_700_000_000_000_700i64,
            "fields": [
                {"key": "event", "vType": 0, "vStr": "cache miss"},
                {"key": "key", "vType": 0, "vStr": "k1"},
                {"key": "otel.dropped_attributes_count", "vType": 3, "vLong": 1},
            ]
        }])
    );
}

#[test]
fn agent_sends_an_emit_batch_call_the_official_idl_decodes() {
    let peer = Peer::start("udp");
    let mut exporter = AgentExporter::builder()
        .with_endpoint(format!("127.0.0.1:{}", peer.port))
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    let mut minimal = full_span();
    minimal.parent_span_id = SpanId::INVALID;
    minimal.status = Status::Ok;
    minimal.attributes.clear();
    minimal.events = SpanEvents::default();
    minimal.links = SpanLinks::default();
    minimal.dropped_attributes_count = 0;
    futures_executor::block_on(exporter.export(&[full_span(), minimal])).unwrap();
    let messages = peer.finish();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["name"], "emitBatch");
    assert_eq!(m["oneway"], true);
    assert_eq!(m["trailing"], 0);
    check_full_span(&m["batch"]);
    assert_eq!(m["batch"]["seqNo"], 1);
    let second = &m["batch"]["spans"][1];
    assert!(second.get("references").is_none() && second.get("logs").is_none());
    assert_eq!(second["parentSpanId"], 0);
    let tags = &second["tags"];
    assert_eq!(tag(tags, "otel.status_code")["vStr"], "OK");
    assert!(tags
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["key"] != "error" && t["key"] != "otel.status_description"));
}

#[test]
fn array_tags_decode_as_json_text_that_parses_back_to_the_attribute() {
    use opentelemetry_api::{Array, StringValue, Value};
    // A quote, a backslash, control characters (escaped), DEL and non-ASCII text (verbatim).
    let strings = ["say \"hi\"", "ctl\u{1}\n\u{1f}\u{7f}", "é😀", "back\\slash"];
    let peer = Peer::start("udp");
    let mut exporter = AgentExporter::builder()
        .with_endpoint(format!("127.0.0.1:{}", peer.port))
        .build()
        .unwrap();
    let mut span = full_span();
    span.attributes = vec![
        KeyValue::new(
            "names",
            Array::String(strings.iter().map(|s| StringValue::from(*s)).collect()),
        ),
        KeyValue::new("floats", Value::from(vec![1.0, f64::NAN, f64::INFINITY])),
    ];
    futures_executor::block_on(exporter.export(&[span])).unwrap();
    let messages = peer.finish();
    let tags = &messages[0]["batch"]["spans"][0]["tags"];
    let names = tag(tags, "names");
    assert_eq!(names["vType"], 0, "a string tag");
    let text = names["vStr"].as_str().unwrap();
    let parsed: Vec<String> = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("the tag is not a JSON array of strings ({e}): {text}"));
    assert_eq!(parsed, strings);
    let floats = tag(tags, "floats")["vStr"].as_str().unwrap().to_owned();
    assert_eq!(floats, r#"[1,"NaN","Infinity"]"#);
    assert_eq!(
        serde_json::from_str::<Json>(&floats).unwrap(),
        json!([1, "NaN", "Infinity"])
    );
}

#[test]
fn agent_splits_big_batches_into_datagrams_under_the_limit_and_drops_oversized_spans() {
    let peer = Peer::start("udp");
    const MAX: usize = 4096;
    let mut exporter = AgentExporter::builder()
        .with_endpoint(format!("127.0.0.1:{}", peer.port))
        .with_max_packet_size(MAX)
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    let mut spans: Vec<SpanData> = (0..300u64)
        .map(|i| {
            let mut s = full_span();
            s.span_context = SpanContext::new(
                TraceId::from(TRACE),
                SpanId::from(i + 1),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            );
            s
        })
        .collect();
    // Span 1000 cannot fit in any datagram.
    let mut huge = full_span();
    huge.span_context = SpanContext::new(
        TraceId::from(TRACE),
        SpanId::from(1000u64),
        TraceFlags::SAMPLED,
        false,
        TraceState::NONE,
    );
    huge.attributes
        .push(KeyValue::new("blob", "x".repeat(10_000)));
    spans.insert(150, huge);
    let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = reported.clone();
    opentelemetry_api::global::set_diagnostic_handler(
        opentelemetry_api::global::DiagnosticLevel::Warn,
        move |d| sink.lock().unwrap().push(d.name.to_string()),
    );
    futures_executor::block_on(exporter.export(&spans)).unwrap();
    assert_eq!(*reported.lock().unwrap(), ["AgentExporter.SpanTooLarge"]);
    let messages = peer.finish();
    assert!(messages.len() > 10, "{} datagrams", messages.len());
    let mut ids = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        assert!(m["size"].as_u64().unwrap() as usize <= MAX, "{}", m["size"]);
        assert_eq!(m["trailing"], 0);
        assert_eq!(m["batch"]["process"]["serviceName"], "checkout");
        assert_eq!(m["batch"]["seqNo"], i as u64 + 1);
        for span in m["batch"]["spans"].as_array().unwrap() {
            ids.push(span["spanId"].as_i64().unwrap());
        }
    }
    // Every span but the huge one arrived, once, in order.
    assert_eq!(ids, (1..=300).collect::<Vec<i64>>());
    // The drop is counted in the statistics of the datagrams after it.
    let last = &messages.last().unwrap()["batch"];
    assert_eq!(last["stats"]["tooLargeDroppedSpans"], 1);
    assert!(messages[0]["batch"].get("stats").is_none());
}

#[test]
fn agent_splits_512_spans_at_the_default_limit_of_65000_bytes() {
    let peer = Peer::start("udp");
    let mut exporter = AgentExporter::builder()
        .with_endpoint(format!("127.0.0.1:{}", peer.port))
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    let spans: Vec<SpanData> = (0..512u64)
        .map(|i| {
            let mut s = full_span();
            s.span_context = SpanContext::new(
                TraceId::from(TRACE),
                SpanId::from(i + 1),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            );
            s.attributes.push(KeyValue::new("padding", "p".repeat(200)));
            s
        })
        .collect();
    futures_executor::block_on(exporter.export(&spans)).unwrap();
    let messages = peer.finish();
    assert!(messages.len() > 1, "{} datagrams", messages.len());
    let mut ids = Vec::new();
    for m in &messages {
        let size = m["size"].as_u64().unwrap();
        assert!(size <= 65_000, "{size}");
        for span in m["batch"]["spans"].as_array().unwrap() {
            ids.push(span["spanId"].as_i64().unwrap());
        }
    }
    // Every datagram but the last is nearly full.
    for m in &messages[..messages.len() - 1] {
        assert!(m["size"].as_u64().unwrap() > 60_000);
    }
    assert_eq!(ids, (1..=512).collect::<Vec<i64>>());
}

#[test]
fn collector_posts_a_binary_batch_with_content_type_and_basic_auth() {
    let peer = Peer::start("http");
    let mut exporter = CollectorExporter::builder()
        .with_endpoint(format!("http://127.0.0.1:{}/api/traces", peer.port))
        .with_basic_auth("user", "pa:ss")
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    futures_executor::block_on(exporter.export(&[full_span()])).unwrap();
    futures_executor::block_on(exporter.export(&[full_span(), full_span()])).unwrap();
    let messages = peer.finish();
    assert_eq!(messages.len(), 2);
    let m = &messages[0];
    assert_eq!(m["path"], "/api/traces");
    assert_eq!(m["content_type"], "application/x-thrift");
    assert_eq!(m["authorization"], "Basic dXNlcjpwYTpzcw==");
    assert_eq!(m["trailing"], 0);
    check_full_span(&m["batch"]);
    assert_eq!(messages[1]["batch"]["spans"].as_array().unwrap().len(), 2);
    assert_eq!(messages[1]["batch"]["seqNo"], 2);
}

#[test]
fn collector_reports_an_unreachable_endpoint() {
    // Bind then drop a listener: the port is then (almost surely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut exporter = CollectorExporter::builder()
        .with_endpoint(format!("http://127.0.0.1:{port}/api/traces"))
        .with_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(futures_executor::block_on(exporter.export(&[full_span()])).is_err());
}
