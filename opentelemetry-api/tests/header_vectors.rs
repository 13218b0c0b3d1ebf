//! Header test vectors kept as data: `tests/data/traceparent.txt` and
//! `tests/data/baggage.txt`, one case per line (see the comments at the top of each file).
//! A new case is a new line.

use opentelemetry_api::propagation::{
    BaggagePropagator, Extractor, TextMapPropagator, TraceContextPropagator,
};
use opentelemetry_api::Context;
use std::collections::HashMap;

/// Received headers, each possibly repeated (names compared case-insensitively).
struct Headers(Vec<(&'static str, String)>);

impl Extractor for Headers {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| *k).collect()
    }

    fn get_all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Resolves `\s`, `\t` and `\xHH`.
fn unescape(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b's' => {
                    out.push(b' ');
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'x' => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                _ => {}
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    // Invalid UTF-8 cannot travel in a `&str` carrier; keep what can.
    String::from_utf8_lossy(&out).into_owned()
}

/// The received values of one header: `-` is absent, ` ^^ ` separates repeated values.
fn received(column: &str) -> Vec<String> {
    if column == "-" {
        return Vec::new();
    }
    column.split(" ^^ ").map(|v| unescape(v.trim())).collect()
}

fn expected(column: &str) -> Option<String> {
    (column != "-").then(|| unescape(column))
}

/// The cases of a data file: (line number, trimmed columns).
fn cases(file: &str, columns: usize) -> Vec<(usize, Vec<String>)> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let cases: Vec<_> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<String> = l.split(" | ").map(|c| c.trim().to_string()).collect();
            assert_eq!(
                cols.len(),
                columns,
                "{file}:{}: expected {columns} columns",
                n + 1
            );
            (n + 1, cols)
        })
        .collect();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

#[test]
fn traceparent_and_tracestate_vectors() {
    let propagator = TraceContextPropagator::new();
    let mut failures = Vec::new();
    for (line, cols) in cases("traceparent.txt", 4) {
        let mut headers = Vec::new();
        for v in received(&cols[0]) {
            headers.push(("traceparent", v));
        }
        for v in received(&cols[1]) {
            headers.push(("tracestate", v));
        }
        let cx = propagator.extract_with_context(&Context::new(), &Headers(headers));
        let mut out: HashMap<String, String> = HashMap::new();
        propagator.inject_context(&cx, &mut out);
        let got = (out.remove("traceparent"), out.remove("tracestate"));
        let want = (expected(&cols[2]), expected(&cols[3]));
        if got != want {
            failures.push(format!(
                "traceparent.txt:{line}: got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn baggage_vectors() {
    let propagator = BaggagePropagator::new();
    let mut failures = Vec::new();
    for (line, cols) in cases("baggage.txt", 2) {
        let headers = received(&cols[0])
            .into_iter()
            .map(|v| ("baggage", v))
            .collect();
        let cx = propagator.extract_with_context(&Context::new(), &Headers(headers));
        let mut out: HashMap<String, String> = HashMap::new();
        propagator.inject_context(&cx, &mut out);
        let got = out.remove("baggage");
        let want = expected(&cols[1]);
        if got != want {
            failures.push(format!("baggage.txt:{line}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
