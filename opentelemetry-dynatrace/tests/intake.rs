//! The exporter against a local stand-in of the ingest API (scripts/intake.py) that parses
//! every line strictly: all lines are accepted, large exports are split into requests of at
//! most 1000 lines, and rejected lines fail the export.

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::{InstrumentationScope, KeyValue};
use opentelemetry_dynatrace::{DynatraceExporter, PAYLOAD_LINES_LIMIT};
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, Gauge, GaugeDataPoint, Metric, MetricData, PeriodicReader,
    PushMetricExporter, ResourceMetrics, ScopeMetrics, SdkMeterProvider,
};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, SystemTime};

const TOKEN: &str = "dt0c01.TEST.token";

struct Intake {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl Intake {
    fn start() -> Intake {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/intake.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(TOKEN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 must be installed (see .ci/run)");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the intake prints its port");
        Intake { child, stdin, port }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/api/v2/metrics/ingest", self.port)
    }

    fn received(&self) -> Value {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(stream, "GET /received HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap()
    }
}

impl Drop for Intake {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

fn gauge_points(name: &str, n: usize) -> ResourceMetrics {
    let data_points = (0..n)
        .map(|i| GaugeDataPoint {
            attributes: vec![
                KeyValue::new("index", i as i64),
                KeyValue::new("Weird Key", "a=b, \"c\"\\"),
            ]
            .into(),
            start_time: None,
            time: SystemTime::now(),
            value: i as f64 * 0.5,
            exemplars: vec![],
        })
        .collect();
    ResourceMetrics {
        scope_metrics: vec![ScopeMetrics {
            scope: InstrumentationScope::builder("intake-test").build(),
            metrics: vec![Metric {
                name: name.to_owned().into(),
                description: "".into(),
                unit: "".into(),
                data: AggregatedMetrics::F64(MetricData::Gauge(Gauge { data_points })),
            }],
        }],
        ..ResourceMetrics::default()
    }
}

#[test]
fn large_exports_are_split_and_every_line_accepted() {
    let intake = Intake::start();
    let mut exporter = DynatraceExporter::builder()
        .with_endpoint(intake.endpoint())
        .with_api_token(TOKEN)
        .with_prefix("test")
        .with_default_dimensions([KeyValue::new("env", "ci")])
        .build()
        .unwrap();
    let n = 2 * PAYLOAD_LINES_LIMIT + 345;
    futures_executor::block_on(exporter.export(&gauge_points("big.gauge", n))).unwrap();

    let received = intake.received();
    let requests = received["requests"].as_array().unwrap();
    let sizes: Vec<u64> = requests
        .iter()
        .map(|r| r["lines"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [1000, 1000, 345]);
    assert!(requests
        .iter()
        .all(|r| r["problems"] == Value::Array(vec![])));
    assert_eq!(received["invalid"], Value::Array(vec![]));
    let lines = received["lines"].as_array().unwrap();
    assert_eq!(lines.len(), n);
    let first = lines[0].as_str().unwrap();
    assert!(
        first.starts_with(
            "test.big.gauge,env=ci,index=0,weird_key=a\\=b\\,\\ \\\"c\\\"\\\\,dt.metrics.source=opentelemetry gauge,0 "
        ),
        "{first}"
    );
}

#[test]
fn rejected_lines_fail_the_export() {
    let intake = Intake::start();
    let mut exporter = DynatraceExporter::builder()
        .with_endpoint(intake.endpoint())
        .with_api_token(TOKEN)
        .build()
        .unwrap();
    let err = futures_executor::block_on(exporter.export(&gauge_points("reject.me", 3)))
        .expect_err("the intake rejects reject.* keys");
    assert!(err.to_string().contains("3 invalid lines"), "{err}");

    // A wrong token is refused as a whole.
    let mut exporter = DynatraceExporter::builder()
        .with_endpoint(intake.endpoint())
        .with_api_token("wrong")
        .build()
        .unwrap();
    let err = futures_executor::block_on(exporter.export(&gauge_points("ok.metric", 1)))
        .expect_err("wrong token");
    assert!(err.to_string().contains("token"), "{err}");
}

#[test]
fn sdk_pipeline_sends_counters_as_deltas_and_histograms_as_summaries() {
    let intake = Intake::start();
    let exporter = DynatraceExporter::builder()
        .with_endpoint(intake.endpoint())
        .with_api_token(TOKEN)
        .build()
        .unwrap();
    let provider = SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(exporter)
                .with_interval(Duration::from_secs(3600))
                .build(),
        )
        .build();
    let meter = provider.meter("pipeline");
    let counter = meter.u64_counter("requests").build();
    let updown = meter.i64_up_down_counter("queue.size").build();
    let histogram = meter.f64_histogram("latency").build();
    let gauge = meter.f64_gauge("temperature").build();
    counter.add(3, &[KeyValue::new("route", "/a")]);
    updown.add(5, &[]);
    updown.add(-2, &[]);
    histogram.record(1.5, &[]);
    histogram.record(7.0, &[]);
    gauge.record(21.5, &[]);
    provider.force_flush().unwrap();
    counter.add(4, &[KeyValue::new("route", "/a")]);
    provider.force_flush().unwrap();
    provider.shutdown().unwrap();

    let received = intake.received();
    assert_eq!(received["invalid"], Value::Array(vec![]));
    let lines: Vec<&str> = received["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let payloads = |key: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("{key},")))
            .map(|l| l.split(' ').nth(1).unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        payloads("requests")[..2],
        ["count,delta=3", "count,delta=4"]
    );
    assert_eq!(payloads("queue.size")[0], "gauge,3");
    assert_eq!(
        payloads("latency")[0],
        "gauge,min=1.5,max=7,sum=8.5,count=2"
    );
    assert_eq!(payloads("temperature")[0], "gauge,21.5");
}
