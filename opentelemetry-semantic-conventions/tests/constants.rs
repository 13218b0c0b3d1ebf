//! Spot checks of the generated constants against the semantic conventions model (v1.44.0),
//! and of the stability gating and deprecation markers.
//!
//! This file compiles both without and with `semconv_experimental` (CI builds the workspace
//! both ways), so the stable half must not need the feature.

use opentelemetry_semantic_conventions::{attribute, event, metric, SCHEMA_URL};

const ATTRIBUTE_RS: &str = include_str!("../src/attribute.rs");
const METRIC_RS: &str = include_str!("../src/metric.rs");
const EVENT_RS: &str = include_str!("../src/event.rs");

/// The `#[...]` attributes written right before `pub const {name}:`, joined; `name` is
/// `CONST` or `module::CONST` (a value module of `attribute`).
fn item_attributes(source: &str, name: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let (start, name) = match name.split_once("::") {
        Some((module, name)) => {
            let module = format!("pub mod {module} {{");
            let start = lines.iter().position(|l| l.ends_with(&module));
            (
                start.unwrap_or_else(|| panic!("no `{module}` in the generated source")),
                name,
            )
        }
        None => (0, name),
    };
    let needle = format!("pub const {name}: ");
    let at = start
        + lines[start..]
            .iter()
            .position(|l| l.trim_start().starts_with(&needle))
            .unwrap_or_else(|| panic!("no `pub const {name}` in the generated source"));
    // Walk up over the attribute lines (a long `#[deprecated(...)]` spans several lines)
    // until the doc comment.
    let mut attrs: Vec<String> = Vec::new();
    for line in lines[..at].iter().rev() {
        let line = line.trim();
        if line.starts_with("///") {
            break;
        }
        attrs.push(line.to_owned());
    }
    attrs.reverse();
    attrs.concat()
}

fn is_gated(source: &str, name: &str) -> bool {
    item_attributes(source, name).contains("#[cfg(feature = \"semconv_experimental\")]")
}

fn deprecation(source: &str, name: &str) -> Option<String> {
    let attrs = item_attributes(source, name);
    let start = attrs.find("#[deprecated(")?;
    Some(attrs[start..].to_owned())
}

#[test]
fn schema_url_is_the_model_version() {
    assert_eq!(SCHEMA_URL, "https://opentelemetry.io/schemas/1.44.0");
}

#[test]
fn stable_attribute_keys_without_the_feature() {
    assert_eq!(attribute::HTTP_REQUEST_METHOD, "http.request.method");
    assert_eq!(
        attribute::HTTP_RESPONSE_STATUS_CODE,
        "http.response.status_code"
    );
    assert_eq!(attribute::URL_FULL, "url.full");
    assert_eq!(attribute::URL_SCHEME, "url.scheme");
    assert_eq!(attribute::SERVER_ADDRESS, "server.address");
    assert_eq!(attribute::CLIENT_PORT, "client.port");
    assert_eq!(attribute::SERVICE_NAME, "service.name");
    assert_eq!(attribute::SERVICE_VERSION, "service.version");
    assert_eq!(attribute::TELEMETRY_SDK_NAME, "telemetry.sdk.name");
    assert_eq!(attribute::TELEMETRY_SDK_LANGUAGE, "telemetry.sdk.language");
    assert_eq!(attribute::TELEMETRY_SDK_VERSION, "telemetry.sdk.version");
    assert_eq!(attribute::EXCEPTION_MESSAGE, "exception.message");
    assert_eq!(attribute::ERROR_TYPE, "error.type");
    assert_eq!(attribute::USER_AGENT_ORIGINAL, "user_agent.original");
    // A template key is the prefix of the full key.
    assert_eq!(attribute::HTTP_REQUEST_HEADER, "http.request.header");
}

#[test]
fn stable_enum_values_without_the_feature() {
    use attribute::{error_type, http_request_method, network_transport, telemetry_sdk_language};
    assert_eq!(http_request_method::GET, "GET");
    assert_eq!(http_request_method::OTHER, "_OTHER");
    assert_eq!(telemetry_sdk_language::RUST, "rust");
    assert_eq!(network_transport::TCP, "tcp");
    assert_eq!(error_type::OTHER, "_OTHER");
}

#[test]
fn stable_metric_and_event_names_without_the_feature() {
    assert_eq!(
        metric::HTTP_SERVER_REQUEST_DURATION,
        "http.server.request.duration"
    );
    assert_eq!(
        metric::HTTP_CLIENT_REQUEST_DURATION,
        "http.client.request.duration"
    );
    assert_eq!(
        metric::DB_CLIENT_OPERATION_DURATION,
        "db.client.operation.duration"
    );
    assert_eq!(event::EXCEPTION, "exception");
}

#[cfg(feature = "semconv_experimental")]
#[test]
fn experimental_conventions_with_the_feature() {
    assert_eq!(attribute::HTTP_REQUEST_BODY_SIZE, "http.request.body.size");
    assert_eq!(attribute::PROCESS_PID, "process.pid");
    assert_eq!(attribute::HOST_NAME, "host.name");
    assert_eq!(attribute::OS_TYPE, "os.type");
    assert_eq!(attribute::os_type::LINUX, "linux");
    assert_eq!(attribute::http_request_method::QUERY, "QUERY");
    // Integer enum values are `i64` constants; ids starting with a digit get a `_`.
    assert_eq!(attribute::cpython_gc_generation::GENERATION_2, 2);
    // Enum member ids with dots become `_`.
    assert_eq!(attribute::cloud_platform::AZURE_VM, "azure.vm");
    assert_eq!(
        metric::HTTP_SERVER_ACTIVE_REQUESTS,
        "http.server.active_requests"
    );
    assert_eq!(
        event::HTTP_CLIENT_REQUEST_EXCEPTION,
        "http.client.request.exception"
    );
}

#[cfg(feature = "semconv_experimental")]
#[test]
#[allow(deprecated)]
fn deprecated_conventions_stay_usable() {
    assert_eq!(attribute::HTTP_METHOD, "http.method");
    assert_eq!(attribute::process_cpu_state::USER, "user");
    assert_eq!(attribute::rpc_grpc_status_code::NOT_FOUND, 5);
    assert_eq!(
        metric::DB_CLIENT_CONNECTIONS_USAGE,
        "db.client.connections.usage"
    );
}

#[test]
fn stability_gating_follows_the_model() {
    // Stable: not gated.
    for name in [
        "HTTP_REQUEST_METHOD",
        "SERVICE_NAME",
        "TELEMETRY_SDK_NAME",
        "URL_FULL",
    ] {
        assert!(!is_gated(ATTRIBUTE_RS, name), "{name} is stable");
    }
    assert!(!is_gated(METRIC_RS, "HTTP_SERVER_REQUEST_DURATION"));
    assert!(!is_gated(EVENT_RS, "EXCEPTION"));
    // Development or release candidate: behind `semconv_experimental`.
    for name in [
        "HTTP_REQUEST_BODY_SIZE",
        "PROCESS_PID",
        "HOST_NAME",
        "OS_TYPE",
    ] {
        assert!(is_gated(ATTRIBUTE_RS, name), "{name} is not stable");
    }
    assert!(is_gated(METRIC_RS, "HTTP_SERVER_ACTIVE_REQUESTS"));
    assert!(is_gated(EVENT_RS, "HTTP_CLIENT_REQUEST_EXCEPTION"));
    // A development value of a stable attribute is gated on its own.
    assert!(!is_gated(ATTRIBUTE_RS, "http_request_method::GET"));
    assert!(is_gated(ATTRIBUTE_RS, "http_request_method::QUERY"));
}

#[test]
fn deprecated_conventions_name_their_replacement() {
    let http_method = deprecation(ATTRIBUTE_RS, "HTTP_METHOD").expect("http.method is deprecated");
    assert!(
        http_method.contains("`http.request.method` (`HTTP_REQUEST_METHOD`)"),
        "{http_method}"
    );
    let target = deprecation(ATTRIBUTE_RS, "HTTP_TARGET").expect("http.target is deprecated");
    assert!(
        target.contains("Split to `url.path` and `url.query`."),
        "{target}"
    );
    let usage = deprecation(METRIC_RS, "DB_CLIENT_CONNECTIONS_USAGE").expect("deprecated metric");
    assert!(usage.contains("`db.client.connection.count`"), "{usage}");
    // The values of a deprecated attribute are deprecated with it.
    let value = deprecation(ATTRIBUTE_RS, "process_cpu_state::USER").expect("deprecated value");
    assert!(value.contains("`cpu.mode`"), "{value}");
    assert!(deprecation(ATTRIBUTE_RS, "HTTP_REQUEST_METHOD").is_none());
    assert!(deprecation(ATTRIBUTE_RS, "http_request_method::GET").is_none());
    assert!(deprecation(METRIC_RS, "HTTP_SERVER_REQUEST_DURATION").is_none());
}

/// Every top-level constant is its name upper-cased with `.` and `-` as `_`.
#[test]
fn constant_names_follow_the_scheme() {
    let mut checked = 0;
    for source in [ATTRIBUTE_RS, METRIC_RS, EVENT_RS] {
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with("pub const "))
        {
            // rustfmt moves a long value onto the next line.
            let line = match line.strip_suffix(" =") {
                Some(head) => format!("{head} = {}", lines[i + 1].trim()),
                None => (*line).to_owned(),
            };
            let (name, rest) = line["pub const ".len()..]
                .split_once(": &str = ")
                .expect(&line);
            let value = rest.trim_end_matches(';').trim_matches('"');
            assert_eq!(
                name,
                value.to_uppercase().replace(['.', '-'], "_"),
                "{line}"
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        937 + 539 + 32,
        "attributes, metrics and events of v1.44.0"
    );
}
