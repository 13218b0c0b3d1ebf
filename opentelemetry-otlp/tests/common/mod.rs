//! The Python OTLP receiver (`tests/python/otlp_receiver.py`, official `opentelemetry-proto`
//! classes and `grpcio`), started and stopped by the tests; and SDK telemetry to send it.
#![allow(dead_code)]

use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_api::KeyValue;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData};
use serde_json::Value as Json;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

// From the workspace root, so that other crates (the facade) can include this module.
const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../opentelemetry-otlp/tests/python/otlp_receiver.py"
);

/// A running receiver; killed when dropped.
pub struct Receiver {
    child: Child,
    pub grpc_port: u16,
    pub http_port: u16,
    out: PathBuf,
}

impl Receiver {
    /// Starts the receiver with extra `args` (see the script's doc), on OS-chosen ports.
    pub fn start(args: &[&str]) -> Receiver {
        Self::start_on(0, 0, args)
    }

    /// Starts the receiver on given ports (0: the OS chooses).
    pub fn start_on(grpc_port: u16, http_port: u16, args: &[&str]) -> Receiver {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("otlp-receiver");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!(
            "{}-{}.jsonl",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .arg(&out)
            .args(["--grpc-port", &grpc_port.to_string()])
            .args(["--http-port", &http_port.to_string()])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 must be installed (.ci/run checks it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports: Json = serde_json::from_str(&line).unwrap_or_else(|_| {
            panic!(
                "the receiver did not start (are grpcio and opentelemetry-proto installed? \
                 .ci/run installs them): {line:?}"
            )
        });
        Receiver {
            child,
            grpc_port: ports["grpc"].as_u64().unwrap() as u16,
            http_port: ports["http"].as_u64().unwrap() as u16,
            out,
        }
    }

    pub fn grpc_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    pub fn http_endpoint(&self, signal: &str) -> String {
        format!("http://127.0.0.1:{}/v1/{signal}", self.http_port)
    }

    /// Every request received so far.
    pub fn records(&self) -> Vec<Json> {
        match std::fs::read_to_string(&self.out) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Accepted requests of `signal`.
    pub fn accepted(&self, signal: &str) -> Vec<Json> {
        self.records()
            .into_iter()
            .filter(|r| r["signal"] == signal && r["outcome"] == "ok")
            .collect()
    }

    /// Waits (up to 10 s) until `count` requests of `signal` were accepted.
    pub fn wait_accepted(&self, signal: &str, count: usize) -> Vec<Json> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.accepted(signal);
            if got.len() >= count || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.out);
    }
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `n` finished spans named `span-0`.. with an attribute `i`.
pub fn spans(n: usize) -> Vec<SpanData> {
    let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let tracer = provider.tracer("test-lib");
    for i in 0..n {
        let mut span = tracer.start(format!("span-{i}"));
        span.set_attribute(KeyValue::new("i", i as i64));
        span.end();
    }
    exporter.get_finished_spans()
}

/// All spans of the accepted trace requests, in order.
pub fn received_spans(records: &[Json]) -> Vec<Json> {
    records
        .iter()
        .flat_map(|r| {
            r["request"]["resource_spans"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|rs| rs["scope_spans"].as_array().cloned().unwrap_or_default())
        .flat_map(|ss| ss["spans"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The value of attribute `key` in an OTLP JSON attribute list.
pub fn attribute<'a>(attributes: &'a Json, key: &str) -> Option<&'a Json> {
    attributes
        .as_array()?
        .iter()
        .find(|kv| kv["key"] == key)
        .map(|kv| &kv["value"])
}
