//! Real peers: a Prometheus server scrapes the exporter's `/metrics` endpoint (it asks for
//! OpenMetrics, so this checks that format through Prometheus' own parser) and the series it
//! stores must match what was recorded; `promtool check metrics` must accept the text
//! format. Both come from the Debian `prometheus` package (installed by `.ci/run`); the
//! tests fail when it is missing.

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::trace::{SpanId, TraceId};
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_prometheus::{exporter, Format};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Exemplar, Metric, MetricData, MetricProducer, ScopeMetrics,
    SdkMeterProvider, Sum, SumDataPoint, Temporality,
};
use opentelemetry_sdk::Resource;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the Prometheus server and removes its directory when dropped.
struct Peer {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_prometheus(target: &str) -> Peer {
    let dir = std::env::temp_dir().join(format!(
        "otel-prometheus-peer-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: otel\n    static_configs:\n      - targets: ['{target}']\n"
    );
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
    let child = Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--enable-feature=exemplar-storage")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the `prometheus` server is missing: apt-get install -y prometheus");
    Peer { child, dir, port }
}

/// A GET with a 5 s timeout; the body, or `None` when the server is not answering.
fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let (_, body) = resp.split_once("\r\n\r\n")?;
    Some(body.to_owned())
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The results of an instant query.
fn query(peer: &Peer, q: &str) -> Vec<Value> {
    let body = get(peer.port, &format!("/api/v1/query?query={}", encode(q))).unwrap_or_default();
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    v["data"]["result"].as_array().cloned().unwrap_or_default()
}

fn value(sample: &Value) -> f64 {
    sample["value"][1].as_str().unwrap().parse().unwrap()
}

/// Waits until `f` returns `Some`, for up to `secs` seconds.
fn wait_for<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    None
}

const TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID: &str = "b7ad6b7169203331";

/// A counter with an exemplar (the SDK attaches exemplars only under a sampled span; a
/// producer sets one directly).
#[derive(Debug)]
struct WithExemplar(std::time::SystemTime);

impl MetricProducer for WithExemplar {
    fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
        let exemplar = Exemplar {
            filtered_attributes: vec![KeyValue::new("user.id", "u7")],
            time: self.0,
            value: 2.5,
            trace_id: TraceId::from_hex(TRACE_ID).unwrap(),
            span_id: SpanId::from_hex(SPAN_ID).unwrap(),
        };
        let sum = Sum {
            data_points: vec![SumDataPoint {
                attributes: Default::default(),
                start_time: self.0,
                time: self.0,
                value: 2.5,
                exemplars: vec![exemplar],
            }],
            temporality: Temporality::Cumulative,
            is_monotonic: true,
        };
        Ok(ScopeMetrics {
            scope: InstrumentationScope::builder("bridge").build(),
            metrics: vec![Metric {
                name: "bridged".into(),
                description: "Bridged".into(),
                unit: "".into(),
                data: AggregatedMetrics::F64(MetricData::Sum(sum)),
            }],
        })
    }
}

#[test]
fn prometheus_scrapes_and_stores_what_was_recorded() {
    let exporter = exporter()
        .with_producer(WithExemplar(std::time::SystemTime::now()))
        .build();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_service_name("peer-test")
                .build(),
        )
        .with_reader(exporter.reader())
        .build();
    let meter = provider.meter("peer");
    let jobs = meter
        .u64_counter("jobs.done")
        .with_description("Jobs")
        .build();
    jobs.add(5, &[KeyValue::new("queue", "a")]);
    jobs.add(2, &[KeyValue::new("queue", "a")]);
    jobs.add(4, &[KeyValue::new("queue", "b.c")]);
    let temp = meter.f64_gauge("room.temperature").with_unit("Cel").build();
    temp.record(21.5, &[]);
    let active = meter.i64_up_down_counter("active").build();
    active.add(3, &[]);
    active.add(-1, &[]);
    let latency = meter
        .f64_histogram("latency")
        .with_unit("s")
        .with_boundaries(vec![0.1, 0.5, 1.0])
        .build();
    for v in [0.05, 0.2, 0.3, 0.7, 2.0] {
        latency.record(v, &[]);
    }
    let server = exporter.serve_on("127.0.0.1:0").unwrap();
    let peer = start_prometheus(&server.local_addr().to_string());

    let target = wait_for(60, || {
        let body = get(peer.port, "/api/v1/targets")?;
        let v: Value = serde_json::from_str(&body).ok()?;
        let t = v["data"]["activeTargets"].as_array()?.first()?.clone();
        (t["health"] == "up").then_some(t)
    });
    let log = std::fs::read_to_string(peer.dir.join("prometheus.log")).unwrap_or_default();
    let target =
        target.unwrap_or_else(|| panic!("the target never became up; prometheus log:\n{log}"));
    assert_eq!(target["lastError"], "", "{target}");

    // The counter, per series, with the scope label.
    let jobs = wait_for(30, || {
        let r = query(&peer, "jobs_done_total");
        (r.len() == 2).then_some(r)
    })
    .expect("jobs_done_total was not stored");
    let by_queue: BTreeMap<String, f64> = jobs
        .iter()
        .map(|s| {
            assert_eq!(s["metric"]["otel_scope_name"], "peer");
            assert_eq!(s["metric"]["job"], "otel");
            (s["metric"]["queue"].as_str().unwrap().to_owned(), value(s))
        })
        .collect();
    assert_eq!(
        by_queue,
        BTreeMap::from([("a".into(), 7.0), ("b.c".into(), 4.0)])
    );

    let temp = query(&peer, "room_temperature_celsius");
    assert_eq!(temp.len(), 1);
    assert_eq!(value(&temp[0]), 21.5);
    let active = query(&peer, "active");
    assert_eq!(value(&active[0]), 2.0);

    // The histogram: cumulative buckets, +Inf, sum and count.
    let buckets: BTreeMap<String, f64> = query(&peer, "latency_seconds_bucket")
        .iter()
        .map(|s| (s["metric"]["le"].as_str().unwrap().to_owned(), value(s)))
        .collect();
    assert_eq!(
        buckets,
        BTreeMap::from([
            ("0.1".into(), 1.0),
            ("0.5".into(), 3.0),
            ("1.0".into(), 4.0),
            ("+Inf".into(), 5.0),
        ])
    );
    assert_eq!(value(&query(&peer, "latency_seconds_count")[0]), 5.0);
    let sum = value(&query(&peer, "latency_seconds_sum")[0]);
    assert!((sum - 3.25).abs() < 1e-9, "{sum}");

    // target_info: the resource, with the job Prometheus renames to exported_job.
    let info = query(&peer, "target_info");
    assert_eq!(info.len(), 1);
    assert_eq!(info[0]["metric"]["service_name"], "peer-test");
    assert_eq!(info[0]["metric"]["exported_job"], "peer-test");

    // The exemplar, through Prometheus' OpenMetrics parser and exemplar storage.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exemplars = wait_for(30, || {
        let path = format!(
            "/api/v1/query_exemplars?query=bridged_total&start={}&end={}",
            now - 600,
            now + 600
        );
        let v: Value = serde_json::from_str(&get(peer.port, &path)?).ok()?;
        let e = v["data"].as_array()?.first()?["exemplars"]
            .as_array()?
            .first()?
            .clone();
        Some(e)
    })
    .expect("no exemplar stored");
    assert_eq!(exemplars["labels"]["trace_id"], TRACE_ID, "{exemplars}");
    assert_eq!(exemplars["labels"]["span_id"], SPAN_ID, "{exemplars}");
    assert_eq!(exemplars["labels"]["user_id"], "u7", "{exemplars}");
    assert_eq!(exemplars["value"], "2.5", "{exemplars}");

    // Later recordings show up in later scrapes.
    jobs_add_and_check(&peer, &provider);
    server.shutdown();
}

fn jobs_add_and_check(peer: &Peer, provider: &SdkMeterProvider) {
    let jobs = provider
        .meter("peer")
        .u64_counter("jobs.done")
        .with_description("Jobs")
        .build();
    jobs.add(10, &[KeyValue::new("queue", "a")]);
    let updated = wait_for(30, || {
        let r = query(peer, "jobs_done_total{queue=\"a\"}");
        (r.len() == 1 && value(&r[0]) == 17.0).then_some(())
    });
    assert!(updated.is_some(), "the new value was not scraped");
}

#[test]
fn promtool_accepts_the_text_format() {
    let exporter = exporter().build();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_service_name("promtool")
                .build(),
        )
        .with_reader(exporter.reader())
        .build();
    let meter = provider.meter("lint");
    let attrs = [
        KeyValue::new("http.route", "/a\"b"),
        KeyValue::new("status", 200),
    ];
    meter
        .u64_counter("requests")
        .with_description("Requests")
        .build()
        .add(3, &attrs);
    meter
        .f64_counter("sent")
        .with_unit("By")
        .with_description("Sent")
        .build()
        .add(1.5, &attrs);
    meter
        .f64_gauge("load")
        .with_unit("1")
        .with_description("Load")
        .build()
        .record(0.5, &[]);
    meter
        .i64_up_down_counter("queue.depth")
        .with_description("Depth")
        .build()
        .add(-2, &[]);
    meter
        .f64_histogram("duration")
        // promtool lints non-base units ("use base unit seconds"); the spec's unit words
        // are what they are, so this one uses the base unit.
        .with_unit("s")
        .with_description("Duration")
        .build()
        .record(12.0, &attrs);
    let body = exporter.render_format(Format::Text);

    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`promtool` is missing: apt-get install -y prometheus");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool: {report}\n{body}");
    assert_eq!(report.trim(), "", "{body}");
}
