//! Interned instrumentation scopes: each distinct scope is stored once for the life of the
//! process, so that an ended span refers to its tracer's scope with a plain `&'static`
//! reference (no reference count touched per span, on the application thread or on the
//! exporting worker).

use opentelemetry_api::{otel_warn, InstrumentationScope};
use std::collections::HashSet;
use std::sync::Mutex;

/// The number of distinct scopes past which a diagnostic says that scopes are being made
/// dynamically (each is kept until the process exits).
const MANY_SCOPES: usize = 1_000;

static INTERNED: Mutex<Option<HashSet<&'static InstrumentationScope>>> = Mutex::new(None);

/// The process-wide copy of `scope`, stored on first use.
pub(crate) fn intern(scope: InstrumentationScope) -> &'static InstrumentationScope {
    // Nothing that runs under this lock can leave the set half-updated.
    let mut guard = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    let set = guard.get_or_insert_with(HashSet::new);
    if let Some(existing) = set.get(&scope) {
        return existing;
    }
    let stored: &'static InstrumentationScope = Box::leak(Box::new(scope));
    set.insert(stored);
    if set.len() == MANY_SCOPES {
        otel_warn!(
            "TracerProvider.ManyScopes",
            "{MANY_SCOPES} distinct instrumentation scopes were requested; each is kept for the \
             life of the process: name tracers after instrumentation libraries, not after \
             dynamic values"
        );
    }
    stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::KeyValue;

    #[test]
    fn equal_scopes_share_one_copy() {
        let a = intern(InstrumentationScope::builder("interned-a").build());
        let again = intern(InstrumentationScope::builder("interned-a").build());
        assert!(std::ptr::eq(a, again));
        let versioned = intern(
            InstrumentationScope::builder("interned-a")
                .with_version("1")
                .build(),
        );
        assert!(!std::ptr::eq(a, versioned));
        let with_attrs = intern(
            InstrumentationScope::builder("interned-a")
                .with_attributes([KeyValue::new("k", "v")])
                .build(),
        );
        assert!(!std::ptr::eq(a, with_attrs));
        assert_eq!(with_attrs.attributes().count(), 1);
    }
}
