//! The OT propagator against the OpenTelemetry Python OT propagator (PyPI
//! `opentelemetry-propagator-ot-trace`, pinned in .ci/run): headers we inject are extracted
//! by Python to the same trace, span, sampling and baggage as by us, and headers Python
//! injects (and a table of malformed ones) are extracted by us as by Python.

use opentelemetry_api::baggage::BaggageExt;
use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_contrib::propagator::OtTracePropagator;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::{Command, Stdio};

/// A small deterministic generator (xorshift64*), so the cases are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

struct Case {
    trace_id: u128,
    span_id: u64,
    sampled: bool,
    baggage: Vec<(String, String)>,
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases: Vec<Case> = (0..40)
        .map(|i| {
            let high = if i % 4 == 0 { 0 } else { rng.next() };
            let low = if i % 7 == 0 {
                rng.next() >> 40
            } else {
                rng.next()
            };
            let baggage = (0..i % 3)
                .map(|j| (format!("key{j}"), format!("value {i}-{j}")))
                .collect();
            Case {
                trace_id: ((high as u128) << 64 | low as u128).max(1),
                span_id: (rng.next() >> (i % 5 * 12)).max(1),
                sampled: i % 2 == 0,
                baggage,
            }
        })
        .collect();
    cases.push(Case {
        trace_id: 1,
        span_id: 1,
        sampled: true,
        baggage: vec![
            ("user_id".into(), "ann".into()),
            ("with.dot".into(), "a=b;c,d".into()),
            ("latin1".into(), "caf\u{e9}".into()),
        ],
    });
    cases
}

fn context(c: &Case) -> Context {
    let sc = SpanContext::new(
        TraceId::from_bytes(c.trace_id.to_be_bytes()),
        SpanId::from_bytes(c.span_id.to_be_bytes()),
        if c.sampled {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::NOT_SAMPLED
        },
        false,
        TraceState::NONE,
    );
    Context::new().with_remote_span_context(sc).with_baggage(
        c.baggage
            .iter()
            .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
    )
}

/// Extraction as the Python peer reports it.
fn rust_extract(headers: &HashMap<String, String>) -> Value {
    let cx = OtTracePropagator::new().extract_with_context(&Context::new(), headers);
    let span = cx.span();
    let sc = span.span_context();
    let valid = sc.is_valid();
    let baggage: BTreeMap<String, String> = cx
        .baggage()
        .iter()
        .map(|(k, (v, _))| (k.as_str().to_owned(), v.as_str().to_owned()))
        .collect();
    json!({
        "trace_id": valid.then(|| String::from_utf8(sc.trace_id().to_hex().to_vec()).unwrap()),
        "span_id": valid.then(|| String::from_utf8(sc.span_id().to_hex().to_vec()).unwrap()),
        "sampled": valid && sc.is_sampled(),
        "baggage": baggage,
    })
}

fn python(input: Value) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ot_peer.py");
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
        "the OT propagator peer failed (is opentelemetry-propagator-ot-trace installed? see .ci/run): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn to_map(v: &Value) -> HashMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn python_extracts_what_we_inject() {
    let cases = cases();
    let injected: Vec<HashMap<String, String>> = cases
        .iter()
        .map(|c| {
            let mut headers = HashMap::new();
            OtTracePropagator::new().inject_context(&context(c), &mut headers);
            headers
        })
        .collect();
    let out = python(json!({ "inject": [], "extract": injected }));
    let theirs = out["extracted"].as_array().unwrap();
    for ((c, headers), theirs) in cases.iter().zip(&injected).zip(theirs) {
        // The same trace (the low 64 bits, as the format carries), span, sampling, baggage.
        let low = format!("{:032x}", c.trace_id as u64);
        assert_eq!(theirs["trace_id"], json!(low), "{headers:?}");
        assert_eq!(theirs["span_id"], json!(format!("{:016x}", c.span_id)));
        assert_eq!(theirs["sampled"], json!(c.sampled));
        let baggage: BTreeMap<String, String> = c.baggage.iter().cloned().collect();
        assert_eq!(theirs["baggage"], json!(baggage));
        assert_eq!(*theirs, rust_extract(headers));
    }
}

#[test]
fn we_extract_what_python_injects() {
    let cases = cases();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "trace_id": format!("{:032x}", c.trace_id),
                "span_id": format!("{:016x}", c.span_id),
                "sampled": c.sampled,
                "baggage": c.baggage,
            })
        })
        .collect();
    let out = python(json!({ "inject": input, "extract": [] }));
    let injected: Vec<HashMap<String, String>> = out["injected"]
        .as_array()
        .unwrap()
        .iter()
        .map(to_map)
        .collect();
    // Python extracts its own headers; we must extract the same.
    let theirs = python(json!({ "inject": [], "extract": injected }));
    for ((c, headers), theirs) in cases
        .iter()
        .zip(&injected)
        .zip(theirs["extracted"].as_array().unwrap())
    {
        let ours = rust_extract(headers);
        assert_eq!(ours, *theirs, "{headers:?}");
        assert_eq!(ours["span_id"], json!(format!("{:016x}", c.span_id)));
        assert_eq!(
            ours["trace_id"],
            json!(format!("{:032x}", c.trace_id as u64))
        );
    }
}

#[test]
fn malformed_headers_extract_as_python_does() {
    let mut table: Vec<Vec<(&str, String)>> = Vec::new();
    let ids = [
        "",
        "0",
        "1",
        "abc",
        "ABC",
        "0000000000000000",
        "00000000000000000000000000000000",
        "4bf92f3577b34da6",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "4bf92f3577b34da6a3ce929d0e0e47361",
        " 4bf92f3577b34da6",
        "4bf92f3577b34da6 ",
        "-1",
        "0x1f",
        "4bf92f35-77b34da6",
        "\u{e9}\u{e9}",
        "12345678901234567",
    ];
    for t in ids {
        for s in ids {
            table.push(vec![
                ("ot-tracer-traceid", t.to_owned()),
                ("ot-tracer-spanid", s.to_owned()),
                ("ot-tracer-sampled", "true".to_owned()),
            ]);
        }
    }
    for sampled in ["true", "false", "True", "1", "", " true"] {
        table.push(vec![
            ("ot-tracer-traceid", "abc".to_owned()),
            ("ot-tracer-spanid", "def".to_owned()),
            ("ot-tracer-sampled", sampled.to_owned()),
        ]);
    }
    // (An `ot-baggage-` header with an empty name is the one deliberate difference: Python
    // keeps an entry with an empty name, our Baggage refuses empty names.)
    table.push(vec![("ot-tracer-spanid", "def".to_owned())]);
    table.push(vec![("ot-tracer-traceid", "abc".to_owned())]);
    table.push(vec![
        ("ot-tracer-traceid", "abc".to_owned()),
        ("ot-tracer-spanid", "def".to_owned()),
        ("ot-baggage-a", "1".to_owned()),
        ("ot-baggage-b.c", "x y=z".to_owned()),
        ("ot-baggage-big", "v".repeat(5000)),
        ("other", "ignored".to_owned()),
    ]);
    let headers: Vec<HashMap<String, String>> = table
        .into_iter()
        .map(|h| h.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        .collect();
    let theirs = python(json!({ "inject": [], "extract": headers }));
    let mut mismatches = Vec::new();
    for (h, theirs) in headers.iter().zip(theirs["extracted"].as_array().unwrap()) {
        let ours = rust_extract(h);
        if ours != *theirs {
            let h: String = format!("{h:?}").chars().take(300).collect();
            mismatches.push(format!("{h}\n  ours   {ours}\n  python {theirs}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // Both sides found valid contexts in the table, and rejected others.
    let valid = theirs["extracted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["trace_id"].is_null())
        .count();
    assert!(valid > 10 && valid < headers.len() - 100, "{valid}");
}
