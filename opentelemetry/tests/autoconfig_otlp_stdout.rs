//! `autoconfig` with `OTEL_{TRACES,METRICS,LOGS}_EXPORTER=otlp/stdout`: the OTLP file exporter
//! on standard output (feature `otlp`), or a reported missing feature without it. Each test
//! runs in its own process (nextest).
//!
//! The test re-runs itself as a child process whose standard output goes to a file: the child
//! installs the autoconfigured pipeline, records a span, a counter and a log record, and shuts
//! down. The parent then has the official OTLP classes (PyPI `opentelemetry-proto`, through
//! opentelemetry-otlp's `tests/python/otlp_file_lines.py`) parse every OTLP/JSON line the
//! child wrote. Without python3 or the package the test fails.
#![cfg(feature = "sdk")]

use opentelemetry::autoconfig::AutoConfig;

#[cfg(feature = "otlp")]
mod stdout {
    use super::AutoConfig;
    use opentelemetry::global;
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
    use opentelemetry::trace::{Span as _, Tracer as _};
    use serde_json::Value as Json;
    use std::io::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    const SCRIPT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../opentelemetry-otlp/tests/python/otlp_file_lines.py"
    );
    const CHILD: &str = "OTLP_STDOUT_AUTOCONFIG_CHILD";
    const TEST: &str = "stdout::otlp_stdout_exporters_write_otlp_json_lines_to_stdout";

    /// The child's part: what an application does.
    fn child() {
        // libtest has written `test NAME ... ` without a newline: end that line, so that each
        // of the exporters' lines stands alone.
        std::io::stdout().write_all(b"\n").unwrap();
        let telemetry = AutoConfig::from_env().install();
        assert!(telemetry.tracer_provider().is_some());
        assert!(telemetry.meter_provider().is_some());
        assert!(telemetry.logger_provider().is_some());
        let mut span = global::tracer("app").start("handle-request");
        span.set_attribute(opentelemetry::KeyValue::new("http.route", "/cart"));
        span.end();
        global::meter("app")
            .u64_counter("requests")
            .build()
            .add(3, &[]);
        let logger = telemetry.logger_provider().unwrap().logger("app");
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Info);
        record.set_body("served".into());
        logger.emit(record);
        telemetry.shutdown().unwrap();
    }

    fn parse_lines(signal: &str, path: &Path) -> Vec<Json> {
        let out = Command::new("python3")
            .arg(SCRIPT)
            .arg(signal)
            .arg(path)
            .output()
            .expect("python3 must be installed (.ci/run checks it)");
        assert!(
            out.status.success(),
            "{SCRIPT} failed (is opentelemetry-proto installed? .ci/run installs it):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn service_name(resource: &Json) -> &Json {
        &resource["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv["key"] == "service.name")
            .unwrap()["value"]["string_value"]
    }

    #[test]
    fn otlp_stdout_exporters_write_otlp_json_lines_to_stdout() {
        if std::env::var_os(CHILD).is_some() {
            child();
            return;
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("otlp-stdout");
        std::fs::create_dir_all(&dir).unwrap();
        let out_path = dir.join(format!("stdout-{}.txt", std::process::id()));
        let err_path = dir.join(format!("stderr-{}.txt", std::process::id()));
        let out = std::fs::File::create(&out_path).unwrap();
        let err = std::fs::File::create(&err_path).unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .env("OTEL_TRACES_EXPORTER", "otlp/stdout")
            .env("OTEL_METRICS_EXPORTER", "otlp/stdout")
            .env("OTEL_LOGS_EXPORTER", "otlp/stdout")
            .env("OTEL_SERVICE_NAME", "stdout-app")
            .env("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta")
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the child did not finish within 60 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stdout = std::fs::read_to_string(&out_path).unwrap();
        let stderr = std::fs::read_to_string(&err_path).unwrap();
        std::fs::remove_file(err_path).unwrap();
        assert!(status.success(), "child failed:\n{stdout}\n{stderr}");

        // Each signal's lines into its own file, as the official classes read them.
        let mut parsed = Vec::new();
        for (signal, prefix) in [
            ("traces", "{\"resourceSpans\""),
            ("metrics", "{\"resourceMetrics\""),
            ("logs", "{\"resourceLogs\""),
        ] {
            let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with(prefix)).collect();
            assert_eq!(
                lines.len(),
                1,
                "{signal}: one export at shutdown:\n{stdout}"
            );
            let path = dir.join(format!("{signal}-{}.jsonl", std::process::id()));
            std::fs::write(&path, format!("{}\n", lines[0])).unwrap();
            parsed.push(parse_lines(signal, &path).remove(0));
            std::fs::remove_file(path).unwrap();
        }
        // Nothing else that looks like JSON was written.
        assert_eq!(stdout.lines().filter(|l| l.starts_with('{')).count(), 3);
        std::fs::remove_file(out_path).unwrap();

        let traces = &parsed[0]["resource_spans"][0];
        assert_eq!(service_name(&traces["resource"]), "stdout-app");
        let span = &traces["scope_spans"][0]["spans"][0];
        assert_eq!(span["name"], "handle-request");
        assert_eq!(span["trace_id"].as_str().unwrap().len(), 32);
        assert_eq!(span["attributes"][0]["value"]["string_value"], "/cart");

        let metrics = &parsed[1]["resource_metrics"][0];
        assert_eq!(service_name(&metrics["resource"]), "stdout-app");
        let requests = &metrics["scope_metrics"][0]["metrics"][0];
        assert_eq!(requests["name"], "requests");
        assert_eq!(requests["sum"]["data_points"][0]["as_int"], "3");
        // The OTLP metric exporter's variable applies to the file exporter.
        assert_eq!(
            requests["sum"]["aggregation_temporality"],
            "AGGREGATION_TEMPORALITY_DELTA"
        );

        let logs = &parsed[2]["resource_logs"][0];
        assert_eq!(service_name(&logs["resource"]), "stdout-app");
        let record = &logs["scope_logs"][0]["log_records"][0];
        assert_eq!(record["body"]["string_value"], "served");
        assert_eq!(record["severity_number"], "SEVERITY_NUMBER_INFO");
    }
}

/// Without the `otlp` feature, `otlp/stdout` is reported as needing it; nothing is installed.
#[cfg(not(feature = "otlp"))]
#[test]
fn otlp_stdout_without_the_otlp_feature_is_reported() {
    use opentelemetry::global::{self, DiagnosticLevel};
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    global::set_diagnostic_handler(DiagnosticLevel::Warn, move |d| {
        sink.lock()
            .unwrap()
            .push(format!("{}: {}", d.name, d.message));
    });
    for variable in [
        "OTEL_TRACES_EXPORTER",
        "OTEL_METRICS_EXPORTER",
        "OTEL_LOGS_EXPORTER",
    ] {
        std::env::set_var(variable, "otlp/stdout");
    }
    let telemetry = AutoConfig::from_env().install();
    assert!(telemetry.tracer_provider().is_none());
    assert!(telemetry.meter_provider().is_none());
    assert!(telemetry.logger_provider().is_none());
    let seen = seen.lock().unwrap();
    for variable in [
        "OTEL_TRACES_EXPORTER",
        "OTEL_METRICS_EXPORTER",
        "OTEL_LOGS_EXPORTER",
    ] {
        assert!(
            seen.iter()
                .any(|m| m.starts_with("AutoConfig.FeatureNotEnabled")
                    && m.contains(&format!("{variable}=otlp/stdout"))
                    && m.contains("`otlp` feature")),
            "{seen:?}"
        );
    }
}
