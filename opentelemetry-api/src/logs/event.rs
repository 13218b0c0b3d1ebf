//! The ergonomic logs API: [`emit_event!`](crate::emit_event), one statement for an event.

/// Emits an event through a [`Logger`](crate::logs::Logger): a log record with an event name,
/// as the [event semantic conventions](https://opentelemetry.io/docs/specs/semconv/general/events/)
/// describe, with an optional severity (`INFO` when not given), body and attributes.
///
/// The logger is asked first ([`Logger::enabled`](crate::logs::Logger::enabled), with the
/// severity, the calling module as the target, and the event name): when it would not record
/// the event, the body and attribute expressions are not evaluated at all. Otherwise the
/// record is filled in place ([`Logger::emit_with`](crate::logs::Logger::emit_with)) with
/// the event name, the severity (number and text), the calling module as the target, the body
/// and the attributes, and is correlated with the current context's active span.
///
/// The arguments: the logger (an expression, borrowed), the event name (a `&'static str`),
/// then in this order and each optional: `severity: <Severity>`, `body: <value>`
/// (anything convertible to an [`AnyValue`](crate::AnyValue)), and attributes as
/// `"key" = value` pairs (values convertible to an `AnyValue`).
///
/// ```
/// use opentelemetry_api::emit_event;
/// use opentelemetry_api::global;
/// use opentelemetry_api::logs::Severity;
///
/// let logger = global::logger("shop");
/// let order_id = 42;
/// emit_event!(logger, "shop.order.placed", "order.id" = order_id, "order.items" = 3);
/// emit_event!(
///     logger,
///     "shop.payment.declined",
///     severity: Severity::Warn,
///     body: "card declined",
///     "order.id" = order_id,
///     "card.network" = "visa",
/// );
/// ```
#[macro_export]
macro_rules! emit_event {
    (
        $logger:expr, $name:expr
        $(, severity: $severity:expr)?
        $(, body: $body:expr)?
        $(, $key:literal = $value:expr)*
        $(,)?
    ) => {{
        #[allow(unused_imports)]
        use $crate::logs::{LogRecord as _, Logger as _};
        let logger = &$logger;
        let name: &'static str = $name;
        let severity = $crate::__event_severity!($($severity)?);
        let target: &'static str = ::core::module_path!();
        if logger.enabled(severity, target, ::core::option::Option::Some(name)) {
            logger.emit_with(|record| {
                record.set_event_name(name);
                record.set_severity_number(severity);
                record.set_severity_text(severity.name());
                record.set_target(target);
                $(record.set_body($crate::AnyValue::from($body));)?
                $(record.add_attribute($key, $value);)*
            });
        }
    }};
}

/// The severity of [`emit_event!`](crate::emit_event): the one given, or `INFO`.
#[doc(hidden)]
#[macro_export]
macro_rules! __event_severity {
    () => {
        $crate::logs::Severity::Info
    };
    ($severity:expr) => {{
        let severity: $crate::logs::Severity = $severity;
        severity
    }};
}
