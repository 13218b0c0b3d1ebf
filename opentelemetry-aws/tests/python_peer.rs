//! The reference X-Ray propagator (PyPI `opentelemetry-propagator-aws-xray`, with
//! `opentelemetry-api` and `opentelemetry-sdk`) as a real peer: it extracts the same trace
//! from the headers we inject, and we extract the same trace from the headers it injects.
//! `tests/python/xray_peer.py` is the Python side; `.ci/run` installs the pinned packages.
//! Header strings travel through the script's stdin and stdout.
#![cfg(feature = "trace")]

use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;
use opentelemetry_aws::{XrayIdGenerator, XrayPropagator, AWS_XRAY_TRACE_HEADER};
use opentelemetry_sdk::trace::IdGenerator;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/xray_peer.py");

/// Runs the peer with `args` and `stdin`, with a timeout; fails when python3 or the packages
/// are missing (`.ci/run` installs them).
fn run_python(args: &[&str], stdin: &str) -> Vec<Json> {
    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed (.ci/run checks for it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{SCRIPT} {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{SCRIPT} {args:?} failed (are opentelemetry-propagator-aws-xray, opentelemetry-api and \
         opentelemetry-sdk installed? `.ci/run` installs them):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn inject(cx: &Context) -> String {
    let mut out = HashMap::new();
    XrayPropagator::new().inject_context(cx, &mut out);
    out.remove(AWS_XRAY_TRACE_HEADER).unwrap()
}

#[test]
fn python_extracts_the_trace_we_inject() {
    let ids = XrayIdGenerator::default();
    let mut expected = Vec::new();
    let mut headers = String::new();
    for i in 0..64u32 {
        let trace_id = match i {
            0 => TraceId::from(1),
            1 => TraceId::from(u128::MAX),
            _ => ids.new_trace_id(),
        };
        let span_id = if i == 1 {
            SpanId::from(u64::MAX)
        } else {
            ids.new_span_id()
        };
        let sampled = i % 3 != 0;
        let flags = if sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::NOT_SAMPLED
        };
        let sc = SpanContext::new(trace_id, span_id, flags, false, TraceState::NONE);
        let mut cx = Context::new().with_remote_span_context(sc);
        if i % 4 == 1 {
            // A header that carried Lineage: re-injected with it, which the peer ignores.
            let carrier = HashMap::from([(
                AWS_XRAY_TRACE_HEADER.to_string(),
                format!("{};Lineage=a87bd80c:{i}|68fd508a:5", inject(&cx)),
            )]);
            cx = XrayPropagator::new().extract_with_context(&Context::new(), &carrier);
            assert!(inject(&cx).contains(";Lineage=a87bd80c:"));
        }
        headers.push_str(&inject(&cx));
        headers.push('\n');
        expected.push((trace_id.to_string(), span_id.to_string(), sampled));
    }
    let got = run_python(&["extract"], &headers);
    assert_eq!(got.len(), expected.len());
    for (g, (t, s, sampled)) in got.iter().zip(&expected) {
        assert_eq!(g["valid"], true, "{g}");
        assert_eq!(g["trace_id"].as_str(), Some(t.as_str()));
        assert_eq!(g["span_id"].as_str(), Some(s.as_str()));
        assert_eq!(g["sampled"].as_bool(), Some(*sampled));
    }
}

#[test]
fn we_extract_the_trace_python_injects() {
    let got = run_python(&["inject", "64"], "");
    assert_eq!(got.len(), 64);
    for g in got {
        let header = g["header"].as_str().unwrap();
        let carrier = HashMap::from([(AWS_XRAY_TRACE_HEADER.to_string(), header.to_string())]);
        let cx = XrayPropagator::new().extract_with_context(&Context::new(), &carrier);
        let span = cx.span();
        let sc = span.span_context();
        assert!(sc.is_valid() && sc.is_remote(), "{header}");
        assert_eq!(sc.trace_id().to_string(), g["trace_id"].as_str().unwrap());
        assert_eq!(sc.span_id().to_string(), g["span_id"].as_str().unwrap());
        assert_eq!(Some(sc.is_sampled()), g["sampled"].as_bool());
        // And our injection of it is byte for byte what Python wrote.
        assert_eq!(inject(&cx), header);
    }
}

#[test]
fn both_reject_the_same_malformed_headers() {
    let malformed = [
        "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8;Sampled=1",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=2",
        "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8;Sampled=1",
        "Parent=53995c3f42cd8ad8;Sampled=1",
    ];
    let got = run_python(&["extract"], &(malformed.join("\n") + "\n"));
    assert_eq!(got.len(), malformed.len());
    for (g, header) in got.iter().zip(malformed) {
        assert_eq!(g["valid"], false, "python accepted {header}");
        let carrier = HashMap::from([(AWS_XRAY_TRACE_HEADER.to_string(), header.to_string())]);
        let cx = XrayPropagator::new().extract_with_context(&Context::new(), &carrier);
        assert!(!cx.span().span_context().is_valid(), "we accepted {header}");
    }
}
