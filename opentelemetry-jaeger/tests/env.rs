//! `OTEL_EXPORTER_JAEGER_*` variables. Each test runs in its own process (nextest).

use opentelemetry_jaeger::{AgentExporter, CollectorExporter};

#[test]
fn agent_host_and_port_come_from_the_environment() {
    std::env::set_var("OTEL_EXPORTER_JAEGER_AGENT_HOST", "127.0.0.1");
    std::env::set_var("OTEL_EXPORTER_JAEGER_AGENT_PORT", "16831");
    let e = AgentExporter::builder().build().unwrap();
    assert_eq!(e.endpoint().unwrap().to_string(), "127.0.0.1:16831");
    // The builder wins over the environment.
    let e = AgentExporter::builder()
        .with_endpoint("127.0.0.1:7000")
        .build()
        .unwrap();
    assert_eq!(e.endpoint().unwrap().to_string(), "127.0.0.1:7000");
}

#[test]
fn invalid_agent_port_falls_back_to_6831_and_ipv6_hosts_work() {
    std::env::set_var("OTEL_EXPORTER_JAEGER_AGENT_HOST", "::1");
    std::env::set_var("OTEL_EXPORTER_JAEGER_AGENT_PORT", "not-a-port");
    let e = AgentExporter::builder().build().unwrap();
    assert_eq!(e.endpoint().unwrap().to_string(), "[::1]:6831");
}

#[test]
fn collector_endpoint_comes_from_the_environment() {
    std::env::set_var(
        "OTEL_EXPORTER_JAEGER_ENDPOINT",
        "http://collector:14268/api/traces",
    );
    std::env::set_var("OTEL_EXPORTER_JAEGER_TIMEOUT", "2500");
    let e = CollectorExporter::builder().build().unwrap();
    assert_eq!(
        e.endpoint().to_string(),
        "http://collector:14268/api/traces"
    );
    std::env::remove_var("OTEL_EXPORTER_JAEGER_ENDPOINT");
    let e = CollectorExporter::builder().build().unwrap();
    assert_eq!(
        e.endpoint().to_string(),
        opentelemetry_jaeger::DEFAULT_COLLECTOR_ENDPOINT
    );
}
