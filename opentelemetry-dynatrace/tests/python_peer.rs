//! Every line the exporter writes is byte for byte the line PyPI `dynatrace-metric-utils`
//! (the reference implementation of the protocol, pinned in .ci/run) writes for the same
//! metric, over a table of tricky names, dimensions and values.

use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_dynatrace::DynatraceExporter;
use opentelemetry_http::{BoxFuture, Bytes, HttpClient, HttpError};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Gauge, GaugeDataPoint, Histogram, HistogramDataPoint, Metric, MetricData,
    PushMetricExporter, ResourceMetrics, ScopeMetrics, Sum, SumDataPoint, Temporality,
};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

/// Records request bodies and answers 202.
#[derive(Debug, Default, Clone)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl HttpClient for Capture {
    fn send_bytes(
        &self,
        request: http::Request<Bytes>,
    ) -> BoxFuture<'_, Result<http::Response<Bytes>, HttpError>> {
        let body = String::from_utf8(request.body().to_vec()).unwrap();
        self.0.lock().unwrap().push(body);
        Box::pin(async {
            Ok(http::Response::builder()
                .status(202)
                .body(Bytes::from_static(
                    b"{\"linesOk\":1,\"linesInvalid\":0,\"error\":null}",
                ))
                .unwrap())
        })
    }
}

#[derive(Clone, Copy, Debug)]
enum N {
    I(i64),
    U(u64),
    F(f64),
}

impl N {
    fn json(self) -> Value {
        match self {
            N::I(i) => json!({ "int": i }),
            N::U(u) => json!({ "int": u }),
            N::F(f) => json!({ "float": format!("{f:e}") }),
        }
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Gauge(N),
    Count(N),
    /// min, max, sum, count (all of one number type).
    Summary(N, N, N, u64),
}

struct Case {
    name: String,
    dims: Vec<(String, String)>,
    kind: Kind,
}

fn case(name: &str, dims: &[(&str, &str)], kind: Kind) -> Case {
    Case {
        name: name.to_owned(),
        dims: dims
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        kind,
    }
}

const TS_MS: u64 = 1_700_000_000_123;

fn metric_data<T>(kind: &Kind, attrs: Vec<KeyValue>, conv: impl Fn(N) -> T) -> MetricData<T> {
    let time = UNIX_EPOCH + Duration::from_millis(TS_MS);
    let start = UNIX_EPOCH + Duration::from_millis(TS_MS - 1000);
    match kind {
        Kind::Gauge(v) => MetricData::Gauge(Gauge {
            data_points: vec![GaugeDataPoint {
                attributes: attrs.into(),
                start_time: Some(start),
                time,
                value: conv(*v),
                exemplars: vec![],
            }],
        }),
        Kind::Count(v) => MetricData::Sum(Sum {
            data_points: vec![SumDataPoint {
                attributes: attrs.into(),
                start_time: start,
                time,
                value: conv(*v),
                exemplars: vec![],
            }],
            temporality: Temporality::Delta,
            is_monotonic: true,
        }),
        Kind::Summary(min, max, sum, count) => MetricData::Histogram(Histogram {
            data_points: vec![HistogramDataPoint {
                attributes: attrs.into(),
                start_time: start,
                time,
                count: *count,
                bounds: vec![],
                bucket_counts: vec![*count],
                min: Some(conv(*min)),
                max: Some(conv(*max)),
                sum: Some(conv(*sum)),
                exemplars: vec![],
            }],
            temporality: Temporality::Delta,
        }),
    }
}

fn first_number(kind: &Kind) -> N {
    match kind {
        Kind::Gauge(n) | Kind::Count(n) | Kind::Summary(n, ..) => *n,
    }
}

fn resource_metrics(c: &Case) -> ResourceMetrics {
    let attrs: Vec<KeyValue> = c
        .dims
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    let data = match first_number(&c.kind) {
        N::F(_) => AggregatedMetrics::F64(metric_data(&c.kind, attrs, |n| match n {
            N::F(f) => f,
            other => panic!("mixed number types in {other:?}"),
        })),
        N::I(_) => AggregatedMetrics::I64(metric_data(&c.kind, attrs, |n| match n {
            N::I(i) => i,
            other => panic!("mixed number types in {other:?}"),
        })),
        N::U(_) => AggregatedMetrics::U64(metric_data(&c.kind, attrs, |n| match n {
            N::U(u) => u,
            other => panic!("mixed number types in {other:?}"),
        })),
    };
    ResourceMetrics {
        scope_metrics: vec![ScopeMetrics {
            scope: InstrumentationScope::builder("peer").build(),
            metrics: vec![Metric {
                name: c.name.clone().into(),
                description: "".into(),
                unit: "".into(),
                data,
            }],
        }],
        ..ResourceMetrics::default()
    }
}

fn case_json(c: &Case) -> Value {
    let dims: Vec<Value> = c.dims.iter().map(|(k, v)| json!([k, v])).collect();
    let mut v = json!({ "name": c.name, "dims": dims, "ts": TS_MS });
    match &c.kind {
        Kind::Gauge(n) => {
            v["kind"] = json!("gauge");
            v["value"] = n.json();
        }
        Kind::Count(n) => {
            v["kind"] = json!("count");
            v["value"] = n.json();
        }
        Kind::Summary(min, max, sum, count) => {
            v["kind"] = json!("summary");
            v["min"] = min.json();
            v["max"] = max.json();
            v["sum"] = sum.json();
            v["count"] = json!(count);
        }
    }
    v
}

fn python_lines(
    prefix: Option<&str>,
    defaults: &[(&str, &str)],
    enrich: bool,
    cases: &[Case],
) -> Vec<Value> {
    let input = json!({
        "prefix": prefix,
        "enrich": enrich,
        "default_dimensions": defaults.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "cases": cases.iter().map(case_json).collect::<Vec<_>>(),
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/serialize_lines.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed (see .ci/run)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the dynatrace-metric-utils peer failed (is it installed? see .ci/run): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rust_lines(
    prefix: Option<&str>,
    defaults: &[(&str, &str)],
    enrich: bool,
    cases: &[Case],
) -> Vec<Value> {
    let capture = Capture::default();
    let mut builder = DynatraceExporter::builder()
        .with_http_client(capture.clone())
        .with_dynatrace_metadata(enrich)
        .with_default_dimensions(
            defaults
                .iter()
                .map(|(k, v)| KeyValue::new(k.to_string(), v.to_string())),
        );
    if let Some(p) = prefix {
        builder = builder.with_prefix(p);
    }
    let mut exporter = builder.build().unwrap();
    cases
        .iter()
        .map(|c| {
            let before = capture.0.lock().unwrap().len();
            futures_executor::block_on(exporter.export(&resource_metrics(c))).unwrap();
            let bodies = capture.0.lock().unwrap();
            match &bodies[before..] {
                [] => Value::Null,
                [one] => json!(one),
                many => panic!("one point gave {} requests", many.len()),
            }
        })
        .collect()
}

fn tricky_cases() -> Vec<Case> {
    let g = |f: f64| Kind::Gauge(N::F(f));
    let long_name = "abc".repeat(100);
    let long_dotted = "ab.".repeat(100);
    let long_key = "KeY".repeat(50);
    let long_value = "v=".repeat(200);
    let long_plain = "x".repeat(300);
    let mut cases = vec![
        case("basecase", &[], g(1.0)),
        case("just.a.normal.key", &[], g(1.0)),
        case("Case", &[], g(1.0)),
        case("~0something", &[], g(1.0)),
        case("some~thing", &[], g(1.0)),
        case("some~äthing", &[], g(1.0)),
        case("~'?ä~some~thing", &[], g(1.0)),
        case("aaa.~'?ä~some~thing", &[], g(1.0)),
        case(".a.b", &[], g(1.0)),
        case("a..b...c.", &[], g(1.0)),
        case("  ", &[], g(1.0)),
        case("\t.x", &[], g(1.0)),
        case("", &[], g(1.0)),
        case("1.2.3", &[], g(1.0)),
        case("_.-a.-0.~0", &[], g(1.0)),
        case("-dash.é.é", &[], g(1.0)),
        case("ñame with spaces", &[], g(1.0)),
        case("a.\u{1f600}.b", &[], g(1.0)),
        case(&long_name, &[], g(1.0)),
        case(&long_dotted, &[], g(1.0)),
        case("dims", &[("Dim.Key", "v")], g(1.0)),
        case(
            "dims",
            &[("0abc", "v"), ("a b", "v"), ("UPPER", "v")],
            g(1.0),
        ),
        case("dims", &[("İstanbul", "v"), ("\u{212a}elvin", "v")], g(1.0)),
        case("dims", &[("..", "v"), ("a.:b", "v"), ("___", "v")], g(1.0)),
        case(
            "dims",
            &[("", "v"), ("dim-with:colon", "v"), ("ÄÖÜ", "v")],
            g(1.0),
        ),
        case("dims", &[(&long_key, "v")], g(1.0)),
        case("dims", &[("a", "1"), ("A", "2"), ("b", "3")], g(1.0)),
        case(
            "dims",
            &[("x", "overrides default"), ("X", "again")],
            g(1.0),
        ),
        case("dims", &[("dt.metrics.source", "mine")], g(1.0)),
        case("vals", &[("e", "a=b"), ("s", "a b"), ("c", "a,b")], g(1.0)),
        case(
            "vals",
            &[("bs", "a\\b"), ("q", "a\"b"), ("t", "trailing\\")],
            g(1.0),
        ),
        case("vals", &[("ctl", "\u{0}\u{1}x\u{7f}\u{85}y")], g(1.0)),
        case(
            "vals",
            &[("cf", "a\u{200b}\u{200c}b"), ("co", "\u{e000}z")],
            g(1.0),
        ),
        case(
            "vals",
            &[("cn", "a\u{378}b"), ("emoji", "\u{1f600}")],
            g(1.0),
        ),
        case("vals", &[("empty", ""), ("umlaut", "äöü")], g(1.0)),
        case(
            "vals",
            &[("long", &long_value), ("plain", &long_plain)],
            g(1.0),
        ),
        case(
            "vals",
            &[("nl", "line\nbreak\r\n"), ("tab", "\ta\t")],
            g(1.0),
        ),
    ];
    // A cut that would split an escape: 249 characters, then `=`.
    let split = format!("{}=", "a".repeat(249));
    cases.push(case("vals", &[("split", &split)], g(1.0)));
    let split_bs = format!("{}\\\\", "a".repeat(248));
    cases.push(case("vals", &[("split", &split_bs)], g(1.0)));
    for f in [
        0.0,
        -0.0,
        1.5,
        -2.25,
        1e-5,
        1e-4,
        1.5e-7,
        1e15,
        1e16,
        -1e16,
        1e-15,
        1e-16,
        123456789.123,
        0.1 + 0.2,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        12_345_678_850_000_000.0,
        999_999_999_999_999.9,
        1e300,
        f64::NAN,
        f64::INFINITY,
    ] {
        cases.push(case("numbers.float", &[], g(f)));
        cases.push(case("numbers.count", &[], Kind::Count(N::F(f))));
    }
    for i in [
        0,
        1,
        -1,
        1_000_000_000_000_000,
        1_000_000_000_000_001,
        i64::MIN,
        i64::MAX,
    ] {
        cases.push(case("numbers.int", &[], Kind::Gauge(N::I(i))));
    }
    for u in [
        0,
        7,
        1_000_000_000_000_001,
        12_345_678_850_000_000,
        u64::MAX,
    ] {
        cases.push(case("numbers.uint", &[], Kind::Count(N::U(u))));
    }
    cases.push(case(
        "summary.float",
        &[("k", "v")],
        Kind::Summary(N::F(0.5), N::F(2.5e16), N::F(3.25), 4),
    ));
    cases.push(case(
        "summary.int",
        &[],
        Kind::Summary(N::I(-3), N::I(10), N::I(12), 5),
    ));
    cases.push(case(
        "summary.nan",
        &[],
        Kind::Summary(N::F(f64::NAN), N::F(1.0), N::F(1.0), 1),
    ));
    cases
}

fn compare(prefix: Option<&str>, defaults: &[(&str, &str)], enrich: bool) {
    let cases = tricky_cases();
    let ours = rust_lines(prefix, defaults, enrich, &cases);
    let theirs = python_lines(prefix, defaults, enrich, &cases);
    assert_eq!(ours.len(), theirs.len());
    let mut mismatches = Vec::new();
    for ((c, o), t) in cases.iter().zip(&ours).zip(&theirs) {
        if o != t {
            mismatches.push(format!(
                "name {:?} dims {:?} kind {:?}:\n  ours   {o}\n  python {t}",
                c.name, c.dims, c.kind
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} lines differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
    // The table is not trivial: most cases give a line, some are rejected by both.
    assert!(ours.iter().filter(|l| l.is_null()).count() >= 5);
    assert!(ours.iter().filter(|l| !l.is_null()).count() > 80);
}

#[test]
fn lines_match_dynatrace_metric_utils() {
    compare(None, &[], false);
}

#[test]
fn lines_match_dynatrace_metric_utils_with_prefix_and_default_dimensions() {
    compare(
        Some("my.Prefix~"),
        &[("Default", "d v"), ("x", "from default"), ("0Team", "a,b")],
        false,
    );
}

/// With a OneAgent's metadata (the indirection file in the working directory names a
/// properties file), its dimensions are on every line, as the reference library adds them.
/// This test changes the working directory: nextest runs it in its own process.
#[test]
fn lines_match_dynatrace_metric_utils_with_host_metadata() {
    let dir = std::env::temp_dir().join(format!("dt-peer-metadata-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let props = dir.join("host.properties");
    std::fs::write(
        &props,
        "dt.entity.host=HOST-ABC\ndt.host_group.id=Group 1,x\nDim.Upper = v \nbad line\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("dt_metadata_e617c525669e072eebe3d0f08212e8f2.properties"),
        props.to_str().unwrap(),
    )
    .unwrap();
    std::env::set_current_dir(&dir).unwrap();
    compare(Some("pre"), &[("dt.entity.host", "default loses")], true);
    let cases = [case("m", &[], Kind::Gauge(N::F(1.0)))];
    let line = rust_lines(None, &[], true, &cases)[0].clone();
    assert!(
        line.as_str().unwrap().contains("dt.entity.host=HOST-ABC"),
        "{line}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
