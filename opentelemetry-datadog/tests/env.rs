//! The agent address from `DD_TRACE_AGENT_URL`, `DD_AGENT_HOST` and `DD_TRACE_AGENT_PORT`
//! (process-global state: nextest runs each test file's tests in their own processes).

use opentelemetry_datadog::{ApiVersion, DatadogExporter};

fn endpoint() -> String {
    DatadogExporter::builder()
        .build()
        .unwrap()
        .endpoint()
        .to_string()
}

#[test]
fn agent_address_from_the_environment() {
    // SAFETY: the only test in this process; no other thread reads the environment.
    unsafe {
        std::env::remove_var("DD_TRACE_AGENT_URL");
        std::env::remove_var("DD_AGENT_HOST");
        std::env::remove_var("DD_TRACE_AGENT_PORT");
    }
    assert_eq!(endpoint(), "http://localhost:8126/v0.5/traces");

    unsafe {
        std::env::set_var("DD_AGENT_HOST", "agent.internal");
        std::env::set_var("DD_TRACE_AGENT_PORT", "9000");
    }
    assert_eq!(endpoint(), "http://agent.internal:9000/v0.5/traces");

    unsafe { std::env::set_var("DD_AGENT_HOST", "::1") };
    assert_eq!(endpoint(), "http://[::1]:9000/v0.5/traces");

    // An invalid port falls back to the default (with a warning).
    unsafe { std::env::set_var("DD_TRACE_AGENT_PORT", "not-a-port") };
    assert_eq!(endpoint(), "http://[::1]:8126/v0.5/traces");

    // DD_TRACE_AGENT_URL wins over host and port; the builder wins over all.
    unsafe { std::env::set_var("DD_TRACE_AGENT_URL", "http://10.0.0.1:1234/") };
    assert_eq!(endpoint(), "http://10.0.0.1:1234/v0.5/traces");
    let exporter = DatadogExporter::builder()
        .with_agent_endpoint("http://127.0.0.1:1")
        .with_api_version(ApiVersion::Version04)
        .build()
        .unwrap();
    assert_eq!(
        exporter.endpoint().to_string(),
        "http://127.0.0.1:1/v0.4/traces"
    );

    // A Unix domain socket: requests are addressed to localhost and sent over the socket.
    unsafe { std::env::set_var("DD_TRACE_AGENT_URL", "unix:///var/run/datadog/apm.socket") };
    let exporter = DatadogExporter::builder().build().unwrap();
    assert_eq!(
        exporter.endpoint().to_string(),
        "http://localhost/v0.5/traces"
    );
    assert_eq!(
        exporter.agent_socket(),
        Some(std::path::Path::new("/var/run/datadog/apm.socket"))
    );

    // Another scheme is refused.
    unsafe { std::env::set_var("DD_TRACE_AGENT_URL", "ftp://agent:21") };
    assert!(DatadogExporter::builder().build().is_err());
}
