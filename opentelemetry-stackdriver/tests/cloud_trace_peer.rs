//! The exporter against local peers built on Google's own classes: a gRPC TraceService that
//! decodes our requests with PyPI `google-cloud-trace`'s messages (grpcio generic handler),
//! an OAuth token endpoint that verifies our RS256 assertions with PyPI `cryptography`, and a
//! metadata server. `tests/python/cloud_trace_peer.py` is the Python side; `.ci/run`
//! installs the pinned packages. The tests fail when python3 or the packages are missing.

use opentelemetry_api::trace::{
    Link, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{Array, InstrumentationScope, KeyValue, StringValue};
use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanExporter, SpanLinks};
use opentelemetry_sdk::Resource;
use opentelemetry_stackdriver::{
    MetadataServerAuthorizer, ServiceAccountAuthorizer, StackdriverExporter, StaticToken,
};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/cloud_trace_peer.py"
);

/// The Python peers: a gRPC TraceService and an HTTP token endpoint / metadata server.
struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    grpc_port: u16,
    http_port: u16,
    dump: PathBuf,
    key: PathBuf,
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stackdriver-peer");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}", std::process::id()))
}

fn python(args: &[&str]) {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .args(args)
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        out.status.success(),
        "{SCRIPT} {args:?} failed (are google-cloud-trace, grpcio and cryptography installed? \
         `.ci/run` installs them):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Peer {
    fn start() -> Peer {
        let key = scratch("key.json");
        let dump = scratch("dump.jsonl");
        let _ = std::fs::remove_file(&dump);
        python(&["genkey", key.to_str().unwrap()]);
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .args(["serve", dump.to_str().unwrap(), key.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs (CI installs it)");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports: Json = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!(
                "the peer did not start ({e}; are google-cloud-trace, grpcio and cryptography \
                 installed? `.ci/run` installs them): {line:?}"
            )
        });
        Peer {
            child,
            stdin,
            grpc_port: ports["grpc"].as_u64().unwrap() as u16,
            http_port: ports["http"].as_u64().unwrap() as u16,
            dump,
            key,
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    fn http(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Everything the peers received, in order.
    fn received(&self, kind: &str) -> Vec<Json> {
        std::fs::read_to_string(&self.dump)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Json>(l).unwrap())
            .filter(|e| e["kind"] == kind)
            .collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // Closing stdin stops the peer; kill it if it lingers.
        drop(self.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const T0: u64 = 1_700_000_000_123_456_789;
const T0_TEXT: &str = "2023-11-14T22:13:20.123456789Z";

fn at(offset_ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(T0 + offset_ms * 1_000_000)
}

const TRACE: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const TRACE_HEX: &str = "0102030405060708090a0b0c0d0e0f10";

fn context(span: u64, remote: bool) -> SpanContext {
    SpanContext::new(
        TraceId::from_bytes(TRACE),
        SpanId::from_bytes(span.to_be_bytes()),
        TraceFlags::SAMPLED,
        remote,
        TraceState::default(),
    )
}

fn scope(name: &str, version: Option<&str>) -> &'static InstrumentationScope {
    let mut builder = InstrumentationScope::builder(name.to_owned());
    if let Some(v) = version {
        builder = builder.with_version(v.to_owned());
    }
    // SpanData holds interned scopes (`&'static`); a test leaks its few.
    Box::leak(Box::new(builder.build()))
}

fn resource() -> Resource {
    Resource::new([
        KeyValue::new("service.name", "checkout"),
        KeyValue::new("service.namespace", "shop"),
        KeyValue::new("service.instance.id", "i-1"),
        KeyValue::new("cloud.platform", "gcp_compute_engine"),
        KeyValue::new("cloud.availability_zone", "us-central1-a"),
        KeyValue::new("host.id", "4242"),
        KeyValue::new("team", "not exported"),
    ])
}

fn event(name: &str, ms: u64, attributes: Vec<KeyValue>, dropped: u32) -> Event {
    Event {
        name: name.to_owned().into(),
        timestamp: at(ms),
        attributes,
        dropped_attributes_count: dropped,
    }
}

/// A server span with every field, a root client span over the limits, a local child.
fn spans() -> Vec<SpanData> {
    let full = SpanData {
        span_context: context(0x1112131415161718, false),
        parent_span_id: SpanId::from_bytes([0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28]),
        parent_span_is_remote: true,
        span_kind: SpanKind::Server,
        name: "GET /users/{id}".into(),
        start_time: at(0),
        end_time: at(1500),
        attributes: vec![
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200),
            KeyValue::new("url.full", "https://example.com/users/7"),
            KeyValue::new("http.route", "/users/{id}"),
            KeyValue::new("user_agent.original", "curl/8"),
            KeyValue::new("http.host", "example.com"),
            KeyValue::new("custom.bool", true),
            KeyValue::new("custom.double", 2.5),
            KeyValue::new("custom.ints", Array::I64(vec![1, -2])),
            KeyValue::new(
                "custom.strings",
                Array::String(vec![StringValue::from("a"), StringValue::from("b\"")]),
            ),
            // 300 bytes: cut to 256 (128 characters), 44 bytes dropped.
            KeyValue::new("long.value", "é".repeat(150)),
            // A 200-byte key is cut to 128 bytes.
            KeyValue::new("k".repeat(200), 1),
            // Maps to /http/method like http.request.method: the first one wins.
            KeyValue::new("http.method", "POST"),
        ],
        dropped_attributes_count: 3,
        events: SpanEvents {
            events: vec![
                event("cache miss", 10, vec![KeyValue::new("hit", false)], 0),
                event(
                    "message",
                    20,
                    vec![
                        KeyValue::new("message.type", "SENT"),
                        KeyValue::new("message.id", 1),
                        KeyValue::new("message.uncompressed_size", 100),
                        KeyValue::new("message.compressed_size", 50),
                    ],
                    0,
                ),
                event(
                    "rpc.message",
                    30,
                    vec![
                        KeyValue::new("rpc.message.type", "RECEIVED"),
                        KeyValue::new("rpc.message.id", 2),
                    ],
                    0,
                ),
                event(
                    &"ä".repeat(200),
                    40,
                    (0..5).map(|i| KeyValue::new(format!("e{i}"), i)).collect(),
                    2,
                ),
            ],
            dropped_count: 1,
        },
        links: SpanLinks {
            links: vec![Link {
                span_context: SpanContext::new(
                    TraceId::from_bytes([0xa0; 16]),
                    SpanId::from_bytes([0xb0, 1, 2, 3, 4, 5, 6, 0xff]),
                    TraceFlags::SAMPLED,
                    true,
                    TraceState::default(),
                ),
                attributes: vec![KeyValue::new("link.kind", "follows")],
                dropped_attributes_count: 1,
            }],
            dropped_count: 2,
        },
        status: Status::error("boom"),
        instrumentation_scope: scope("lib-a", Some("1.2.3")),
    };
    let root = SpanData {
        span_context: context(2, false),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Client,
        // 200 bytes: cut to 128 (64 characters), 72 bytes dropped.
        name: "ü".repeat(100).into(),
        start_time: at(100),
        end_time: at(200),
        attributes: (0..40)
            .map(|i| KeyValue::new(format!("a{i:02}"), i))
            .collect(),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Ok,
        instrumentation_scope: scope("lib-b", None),
    };
    let child = SpanData {
        span_context: context(3, false),
        parent_span_id: SpanId::from_bytes(2u64.to_be_bytes()),
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: "work".into(),
        start_time: at(120),
        end_time: at(130),
        attributes: vec![],
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: scope("lib-b", None),
    };
    vec![full, root, child]
}

fn text(value: &str) -> Json {
    json!({"string_value": {"value": value}})
}

fn int(value: i64) -> Json {
    json!({"int_value": value.to_string()})
}

fn time(offset_ms: u64) -> String {
    // T0 is ...20.123456789; the offsets used keep the nanoseconds' last digits.
    let nanos = 123_456_789 + offset_ms * 1_000_000;
    let secs = 20 + nanos / 1_000_000_000;
    let nanos = nanos % 1_000_000_000;
    let text = format!("2023-11-14T22:13:{secs:02}.{nanos:09}Z");
    if offset_ms == 0 {
        assert_eq!(text, T0_TEXT);
    }
    text
}

/// The labels every span carries (from the resource and the exporter).
fn fixed_labels() -> serde_json::Map<String, Json> {
    let mut labels = serde_json::Map::new();
    labels.insert(
        "g.co/agent".into(),
        text(&format!(
            "opentelemetry-rust {v}; google-cloud-trace-exporter {v}",
            v = env!("CARGO_PKG_VERSION")
        )),
    );
    labels.insert("g.co/gae/app/module".into(), text("checkout"));
    labels.insert("service.namespace".into(), text("shop"));
    labels.insert("service.instance.id".into(), text("i-1"));
    labels.insert("g.co/r/gce_instance/zone".into(), text("us-central1-a"));
    labels.insert("g.co/r/gce_instance/instance_id".into(), text("4242"));
    labels
}

fn expected_request() -> Json {
    let name = |span: &str| format!("projects/my-project/traces/{TRACE_HEX}/spans/{span}");

    let mut full_labels = fixed_labels();
    for (k, v) in [
        ("otel.scope.name", text("lib-a")),
        ("otel.scope.version", text("1.2.3")),
        ("/http/method", text("GET")),
        ("/http/status_code", int(200)),
        ("/http/url", text("https://example.com/users/7")),
        ("/http/route", text("/users/{id}")),
        ("/http/user_agent", text("curl/8")),
        ("/http/host", text("example.com")),
        ("custom.bool", json!({"bool_value": true})),
        ("custom.double", text("2.5")),
        ("custom.ints", text("[1,-2]")),
        ("custom.strings", text(r#"["a","b\""]"#)),
        (
            "long.value",
            json!({"string_value": {"value": "é".repeat(128), "truncated_byte_count": 44}}),
        ),
        (&"k".repeat(128), int(1)),
    ] {
        full_labels.insert(k.to_owned(), v);
    }
    let full = json!({
        "name": name("1112131415161718"),
        "span_id": "1112131415161718",
        "parent_span_id": "2122232425262728",
        "display_name": {"value": "GET /users/{id}"},
        "start_time": time(0),
        "end_time": time(1500),
        "attributes": {
            "attribute_map": full_labels,
            // 3 from the SDK, 1 for http.method (a second /http/method).
            "dropped_attributes_count": 4,
        },
        "time_events": {
            "time_event": [
                {"time": time(10), "annotation": {
                    "description": {"value": "cache miss"},
                    "attributes": {"attribute_map": {"hit": {"bool_value": false}}},
                }},
                {"time": time(20), "message_event": {
                    "type": "SENT", "id": "1",
                    "uncompressed_size_bytes": "100", "compressed_size_bytes": "50",
                }},
                {"time": time(30), "message_event": {"type": "RECEIVED", "id": "2"}},
                {"time": time(40), "annotation": {
                    // 400 bytes: cut to 256 (128 characters), 144 bytes dropped.
                    "description": {"value": "ä".repeat(128), "truncated_byte_count": 144},
                    "attributes": {
                        "attribute_map": {"e0": int(0), "e1": int(1), "e2": int(2), "e3": int(3)},
                        // 2 from the SDK, 1 over the limit of 4.
                        "dropped_attributes_count": 3,
                    },
                }},
            ],
            "dropped_annotations_count": 1,
        },
        "links": {
            "link": [{
                "trace_id": "a0".repeat(16),
                "span_id": "b0010203040506ff",
                "attributes": {
                    "attribute_map": {"link.kind": text("follows")},
                    "dropped_attributes_count": 1,
                },
            }],
            "dropped_links_count": 2,
        },
        "status": {"code": 2, "message": "boom"},
        "same_process_as_parent_span": false,
        "span_kind": "SERVER",
    });

    let mut root_labels = fixed_labels();
    root_labels.insert("otel.scope.name".into(), text("lib-b"));
    let room = 32 - root_labels.len();
    for i in 0..room {
        root_labels.insert(format!("a{i:02}"), int(i as i64));
    }
    let root = json!({
        "name": name("0000000000000002"),
        "span_id": "0000000000000002",
        "display_name": {"value": "ü".repeat(64), "truncated_byte_count": 72},
        "start_time": time(100),
        "end_time": time(200),
        "attributes": {
            "attribute_map": root_labels,
            "dropped_attributes_count": 40 - room,
        },
        "status": {},
        "span_kind": "CLIENT",
    });

    let mut child_labels = fixed_labels();
    child_labels.insert("otel.scope.name".into(), text("lib-b"));
    let child = json!({
        "name": name("0000000000000003"),
        "span_id": "0000000000000003",
        "parent_span_id": "0000000000000002",
        "display_name": {"value": "work"},
        "start_time": time(120),
        "end_time": time(130),
        "attributes": {"attribute_map": child_labels},
        "same_process_as_parent_span": true,
        "span_kind": "INTERNAL",
    });

    json!({"name": "projects/my-project", "spans": [full, root, child]})
}

/// Compares `actual` with `expected`, naming the path of the first difference.
fn assert_tree(path: &str, actual: &Json, expected: &Json) {
    match (actual, expected) {
        (Json::Object(a), Json::Object(e)) => {
            for key in a.keys().chain(e.keys()) {
                match (a.get(key), e.get(key)) {
                    (Some(x), Some(y)) => assert_tree(&format!("{path}.{key}"), x, y),
                    (x, y) => panic!("{path}.{key}: got {x:?}, expected {y:?}"),
                }
            }
        }
        (Json::Array(a), Json::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: lengths differ");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_tree(&format!("{path}[{i}]"), x, y);
            }
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn exporter(peer: &Peer) -> opentelemetry_stackdriver::StackdriverExporterBuilder {
    StackdriverExporter::builder("my-project")
        .with_endpoint(peer.endpoint())
        .with_timeout(Duration::from_secs(20))
}

#[test]
fn google_classes_decode_every_field_sent_without_a_runtime() {
    let peer = Peer::start();
    let mut exporter = exporter(&peer)
        .with_authorizer(StaticToken::new("static-token"))
        .with_quota_project("billing-project")
        .build()
        .unwrap();
    exporter.set_resource(&resource());
    let batch = spans();
    // A plain executor, as the SDK's background thread has: no tokio runtime here.
    futures_executor::block_on(exporter.export(&batch)).unwrap();

    let received = peer.received("spans");
    assert_eq!(received.len(), 1);
    let metadata = &received[0]["metadata"];
    assert_eq!(metadata["authorization"], "Bearer static-token");
    assert_eq!(
        metadata["x-goog-request-params"],
        "name=projects/my-project"
    );
    assert_eq!(metadata["x-goog-user-project"], "billing-project");
    assert_tree("request", &received[0]["request"], &expected_request());
}

#[test]
fn array_labels_are_json_text_that_parses_back_to_the_attribute() {
    // A quote, a backslash, control characters (escaped), DEL and non-ASCII text (verbatim).
    let strings = ["say \"hi\"", "ctl\u{1}\n\u{1f}\u{7f}", "é😀", "back\\slash"];
    let peer = Peer::start();
    let mut exporter = exporter(&peer)
        .with_authorizer(StaticToken::new("t"))
        .build()
        .unwrap();
    let mut span = spans().remove(1);
    span.attributes = vec![
        KeyValue::new(
            "names",
            Array::String(strings.iter().map(|s| StringValue::from(*s)).collect()),
        ),
        KeyValue::new(
            "floats",
            opentelemetry_api::Value::from(vec![1.0, f64::NAN, f64::NEG_INFINITY]),
        ),
        KeyValue::new("inf", f64::INFINITY),
    ];
    futures_executor::block_on(exporter.export(&[span])).unwrap();
    let received = peer.received("spans");
    let labels = &received[0]["request"]["spans"][0]["attributes"]["attribute_map"];
    let names = labels["names"]["string_value"]["value"].as_str().unwrap();
    let parsed: Vec<String> = serde_json::from_str(names)
        .unwrap_or_else(|e| panic!("not a JSON array of strings ({e}): {names}"));
    assert_eq!(parsed, strings);
    assert_eq!(labels["floats"], text(r#"[1,"NaN","-Infinity"]"#));
    assert_eq!(labels["inf"], text("Infinity"));
}

#[test]
fn exports_from_inside_tokio_runtimes() {
    let peer = Peer::start();
    let mut exporter = exporter(&peer)
        .with_authorizer(StaticToken::new("t"))
        .build()
        .unwrap();
    let batch = spans();
    // A current-thread runtime: the exporter must not need this thread to make progress.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(exporter.export(&batch))
        .unwrap();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(exporter.export(&batch[1..]))
        .unwrap();
    let received = peer.received("spans");
    assert_eq!(received.len(), 2);
    assert_eq!(received[0]["request"]["spans"].as_array().unwrap().len(), 3);
    assert_eq!(received[1]["request"]["spans"].as_array().unwrap().len(), 2);
    // Without set_resource, only the agent label and the scope are added.
    let labels = &received[1]["request"]["spans"][1]["attributes"]["attribute_map"];
    assert_eq!(
        labels.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["g.co/agent", "otel.scope.name"]
    );
    // Routing by the generic task when the resource names no platform.
    exporter.set_resource(&Resource::new([
        KeyValue::new("service.name", "svc"),
        KeyValue::new("service.instance.id", "7"),
        KeyValue::new("cloud.region", "europe-west1"),
    ]));
    futures_executor::block_on(exporter.export(&batch[2..])).unwrap();
    let received = peer.received("spans");
    let labels = &received[2]["request"]["spans"][0]["attributes"]["attribute_map"];
    assert_eq!(labels["g.co/r/generic_task/location"], text("europe-west1"));
    assert_eq!(labels["g.co/r/generic_task/job"], text("svc"));
    assert_eq!(labels["g.co/r/generic_task/task_id"], text("7"));
    assert_eq!(labels["g.co/gae/app/module"], text("svc"));
}

#[test]
fn service_account_key_is_signed_into_a_token() {
    let peer = Peer::start();
    let auth = ServiceAccountAuthorizer::from_file(&peer.key)
        .unwrap()
        .with_token_uri(format!("{}/token", peer.http()));
    assert_eq!(auth.project_id(), Some("key-project"));
    let mut exporter = exporter(&peer).with_authorizer(auth).build().unwrap();
    let batch = spans();
    futures_executor::block_on(exporter.export(&batch)).unwrap();
    futures_executor::block_on(exporter.export(&batch[..1])).unwrap();

    // One token request: the token is cached for the second batch.
    let tokens = peer.received("token");
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let token = &tokens[0];
    assert_eq!(token["signature_valid"], true, "{token}");
    assert_eq!(
        token["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(token["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(
        token["header"],
        json!({"alg": "RS256", "typ": "JWT", "kid": "kid-123"})
    );
    let claims = &token["claims"];
    assert_eq!(
        claims["iss"],
        "exporter@key-project.iam.gserviceaccount.com"
    );
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/trace.append"
    );
    assert_eq!(claims["aud"], format!("{}/token", peer.http()));
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 3600);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat <= now && now - iat < 120, "iat {iat}, now {now}");

    let received = peer.received("spans");
    assert_eq!(received.len(), 2);
    for call in &received {
        assert_eq!(call["metadata"]["authorization"], "Bearer sa-token-1");
    }
}

#[test]
fn a_bad_token_endpoint_answer_fails_the_export() {
    let peer = Peer::start();
    // A key the endpoint does not know: the signature check fails there.
    let other_key = scratch("other-key.json");
    python(&["genkey", other_key.to_str().unwrap()]);
    let auth = ServiceAccountAuthorizer::from_file(&other_key)
        .unwrap()
        .with_token_uri(format!("{}/token", peer.http()));
    let mut exporter = exporter(&peer).with_authorizer(auth).build().unwrap();
    let error = futures_executor::block_on(exporter.export(&spans())).unwrap_err();
    assert!(error.to_string().contains("400"), "{error}");
    assert_eq!(peer.received("token")[0]["signature_valid"], false);
    assert!(peer.received("spans").is_empty());
}

#[test]
fn metadata_server_token_is_used() {
    let peer = Peer::start();
    let auth = MetadataServerAuthorizer::new()
        .unwrap()
        .with_host(peer.http())
        .with_scopes([opentelemetry_stackdriver::TRACE_APPEND_SCOPE]);
    let mut exporter = exporter(&peer).with_authorizer(auth).build().unwrap();
    let batch = spans();
    futures_executor::block_on(exporter.export(&batch)).unwrap();
    futures_executor::block_on(exporter.export(&batch)).unwrap();

    let asked = peer.received("metadata");
    assert_eq!(asked.len(), 1, "cached after the first: {asked:?}");
    assert_eq!(asked[0]["flavor"], "Google");
    assert_eq!(
        asked[0]["query"],
        "scopes=https%3A//www.googleapis.com/auth/trace.append"
    );
    for call in peer.received("spans") {
        assert_eq!(call["metadata"]["authorization"], "Bearer metadata-token-1");
    }
}

#[test]
fn a_refused_call_fails_the_export() {
    let peer = Peer::start();
    let mut exporter = exporter(&peer)
        .with_authorizer(StaticToken::new("reject"))
        .build()
        .unwrap();
    let error = futures_executor::block_on(exporter.export(&spans())).unwrap_err();
    assert!(error.to_string().contains("token rejected"), "{error}");
    assert_eq!(peer.received("spans").len(), 1);
}

#[test]
fn an_unreachable_endpoint_fails_and_shutdown_stops_exports() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut exporter = StackdriverExporter::builder("p")
        .with_endpoint(format!("http://127.0.0.1:{port}"))
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let batch = spans();
    assert!(futures_executor::block_on(exporter.export(&batch)).is_err());
    exporter.shutdown().unwrap();
    assert!(matches!(
        futures_executor::block_on(exporter.export(&batch)),
        Err(opentelemetry_sdk::Error::AlreadyShutdown)
    ));
    assert!(exporter.shutdown().is_err());
}

#[test]
fn invalid_configuration_is_reported_at_build() {
    assert!(StackdriverExporter::builder("p")
        .with_endpoint("not a uri")
        .build()
        .is_err());
    assert!(StackdriverExporter::builder("p")
        .with_quota_project("bad\nproject")
        .build()
        .is_err());
    assert!(ServiceAccountAuthorizer::from_json(b"{}").is_err());
    assert!(ServiceAccountAuthorizer::from_json(
        br#"{"type":"service_account","client_email":"a","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}"#
    )
    .is_err());
}

#[test]
fn the_sdk_batch_processor_drives_the_exporter() {
    use opentelemetry_api::trace::{
        Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _,
    };
    let peer = Peer::start();
    let exporter = exporter(&peer)
        .with_authorizer(StaticToken::new("t"))
        .build()
        .unwrap();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_resource(resource())
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("sdk-test");
    tracer.in_span("parent", |cx| {
        cx.span().set_attribute(KeyValue::new("http.route", "/a"));
        let mut child = tracer.start("child");
        child.add_event("step", vec![]);
        child.end();
    });
    provider.force_flush().unwrap();
    provider.shutdown().unwrap();

    let spans: Vec<Json> = peer
        .received("spans")
        .iter()
        .flat_map(|call| call["request"]["spans"].as_array().unwrap().clone())
        .collect();
    assert_eq!(spans.len(), 2);
    let (child, parent) = (&spans[0], &spans[1]);
    assert_eq!(child["display_name"]["value"], "child");
    assert_eq!(parent["display_name"]["value"], "parent");
    assert_eq!(child["parent_span_id"], parent["span_id"]);
    assert_eq!(child["same_process_as_parent_span"], true);
    assert_eq!(
        child["time_events"]["time_event"][0]["annotation"]["description"]["value"],
        "step"
    );
    let labels = &parent["attributes"]["attribute_map"];
    assert_eq!(labels["/http/route"], text("/a"));
    assert_eq!(labels["g.co/gae/app/module"], text("checkout"));
    assert_eq!(labels["otel.scope.name"], text("sdk-test"));
}

#[test]
fn metadata_server_address_comes_from_gce_metadata_host() {
    let peer = Peer::start();
    // nextest runs each test in its own process: this variable is seen by this test alone.
    std::env::set_var("GCE_METADATA_HOST", format!("127.0.0.1:{}", peer.http_port));
    let auth = MetadataServerAuthorizer::new().unwrap();
    let mut exporter = exporter(&peer).with_authorizer(auth).build().unwrap();
    futures_executor::block_on(exporter.export(&spans())).unwrap();
    let asked = peer.received("metadata");
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0]["query"], "",
        "no scopes asked: the server's defaults"
    );
    assert_eq!(
        peer.received("spans")[0]["metadata"]["authorization"],
        "Bearer metadata-token-1"
    );
}
