//! `OTEL_EXPORTER_PROMETHEUS_HOST` / `_PORT` (process-global: nextest runs each test in its
//! own process).

use opentelemetry_prometheus::exporter;

#[test]
fn host_and_port_default_to_localhost_9464() {
    std::env::remove_var("OTEL_EXPORTER_PROMETHEUS_HOST");
    std::env::remove_var("OTEL_EXPORTER_PROMETHEUS_PORT");
    assert_eq!(exporter().build().address(), ("localhost", 9464));
}

#[test]
fn host_and_port_come_from_the_environment_and_the_builder_overrides_them() {
    std::env::set_var("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1");
    std::env::set_var("OTEL_EXPORTER_PROMETHEUS_PORT", "0");
    let e = exporter().build();
    assert_eq!(e.address(), ("127.0.0.1", 0));
    // The environment's host and port are where `serve` listens.
    let server = e.serve().unwrap();
    assert!(server.local_addr().ip().is_loopback());
    assert_ne!(server.local_addr().port(), 0);
    let e = exporter().with_host("::1").with_port(1234).build();
    assert_eq!(e.address(), ("::1", 1234));
}

#[test]
fn an_invalid_port_falls_back_to_the_default() {
    std::env::set_var("OTEL_EXPORTER_PROMETHEUS_PORT", "not-a-port");
    assert_eq!(exporter().build().address().1, 9464);
}
