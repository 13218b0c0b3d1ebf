//! Datadog's decision data carried in the W3C `tracestate` under the `dd` key.
//!
//! The Datadog tracers keep the sampling priority, the origin and the propagated `_dd.p.*`
//! tags in `tracestate` as `dd=s:<priority>;o:<origin>;t.<tag>:<value>`. The propagator stores
//! what it extracts from `x-datadog-*` headers there, so the values survive the trace context
//! through a process, reach the exporter (which writes `_sampling_priority_v1` and
//! `_dd.origin`), and also travel with the W3C propagator in the form Datadog's tracers read.

use opentelemetry_api::trace::TraceState;
use std::borrow::Cow;

/// The `tracestate` key Datadog's tracers use.
pub(crate) const DD_KEY: &str = "dd";

/// What a `dd` tracestate entry holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DdState<'a> {
    /// The sampling priority (`s:`).
    pub(crate) priority: Option<i32>,
    /// The origin (`o:`), decoded.
    pub(crate) origin: Option<Cow<'a, str>>,
    /// Propagated tags (`t.<name>:<value>`): name without the `_dd.p.` prefix, value decoded.
    pub(crate) tags: Vec<(&'a str, Cow<'a, str>)>,
}

/// `~` stands for `=` in `dd` tracestate values (`=` is not allowed there).
fn decode(value: &str) -> Cow<'_, str> {
    if value.contains('~') {
        Cow::Owned(value.replace('~', "="))
    } else {
        Cow::Borrowed(value)
    }
}

/// Makes a value fit in a `dd` tracestate entry: `=` becomes `~`; `,`, `;`, `~` and anything
/// outside printable ASCII become `_` (Datadog's own rule).
fn encode_into(out: &mut String, value: &str) {
    for c in value.chars() {
        out.push(match c {
            '=' => '~',
            ',' | ';' | '~' => '_',
            ' '..='~' => c,
            _ => '_',
        });
    }
}

impl<'a> DdState<'a> {
    /// Parses a `dd` entry's value; unknown or malformed parts are skipped.
    pub(crate) fn parse(value: &'a str) -> DdState<'a> {
        let mut state = DdState::default();
        for part in value.split(';') {
            let Some((key, v)) = part.split_once(':') else {
                continue;
            };
            match key {
                "s" => state.priority = v.parse().ok(),
                "o" if !v.is_empty() => state.origin = Some(decode(v)),
                _ => {
                    if let Some(tag) = key.strip_prefix("t.") {
                        if !tag.is_empty() {
                            state.tags.push((tag, decode(v)));
                        }
                    }
                }
            }
        }
        state
    }

    /// The `dd` entry of `trace_state`, parsed (empty when there is none).
    pub(crate) fn from_trace_state(trace_state: &'a TraceState) -> DdState<'a> {
        trace_state
            .get(DD_KEY)
            .map(DdState::parse)
            .unwrap_or_default()
    }

    /// The entry's value, or `None` when there is nothing to carry.
    pub(crate) fn to_value(&self) -> Option<String> {
        let mut out = String::new();
        if let Some(p) = self.priority {
            out.push_str("s:");
            out.push_str(&p.to_string());
        }
        if let Some(origin) = &self.origin {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str("o:");
            encode_into(&mut out, origin);
        }
        for (tag, value) in &self.tags {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str("t.");
            encode_into(&mut out, tag);
            out.push(':');
            encode_into(&mut out, value);
        }
        (!out.is_empty()).then_some(out)
    }

    /// `trace_state` with this state as its `dd` entry (moved to the front, as the spec asks
    /// of an updated entry); unchanged when the entry cannot be stored.
    pub(crate) fn apply(&self, trace_state: &TraceState) -> TraceState {
        match self.to_value() {
            Some(value) => trace_state
                .insert(DD_KEY, value)
                .unwrap_or_else(|_| trace_state.clone()),
            None => trace_state.clone(),
        }
    }
}

/// Only the sampling priority and origin of a `dd` entry: what the exporter reads per span,
/// without allocating (the origin is returned raw; [`decode_origin`] turns `~` back into `=`).
pub(crate) fn priority_and_origin(value: &str) -> (Option<i32>, Option<&str>) {
    let mut priority = None;
    let mut origin = None;
    for part in value.split(';') {
        if let Some(v) = part.strip_prefix("s:") {
            priority = v.parse().ok();
        } else if let Some(v) = part.strip_prefix("o:") {
            origin = (!v.is_empty()).then_some(v);
        }
    }
    (priority, origin)
}

/// A raw origin from [`priority_and_origin`], decoded.
pub(crate) fn decode_origin(raw: &str) -> Cow<'_, str> {
    decode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let state = DdState {
            priority: Some(-1),
            origin: Some(Cow::Borrowed("synthetics=x")),
            tags: vec![("dm", Cow::Borrowed("-4"))],
        };
        let value = state.to_value().unwrap();
        assert_eq!(value, "s:-1;o:synthetics~x;t.dm:-4");
        assert_eq!(DdState::parse(&value), state);
        assert_eq!(
            priority_and_origin(&value),
            (Some(-1), Some("synthetics~x"))
        );
        assert_eq!(decode_origin("synthetics~x"), "synthetics=x");
        let ts = state.apply(&TraceState::NONE);
        assert_eq!(DdState::from_trace_state(&ts), state);
    }

    #[test]
    fn bad_parts_are_skipped_and_values_sanitized() {
        let state = DdState::parse("s:x;garbage;o:;t.:v;t.ok:1");
        assert_eq!(state.priority, None);
        assert_eq!(state.origin, None);
        assert_eq!(state.tags, vec![("ok", Cow::Borrowed("1"))]);
        let state = DdState {
            origin: Some(Cow::Borrowed("a,b;c~d\u{e9}")),
            ..DdState::default()
        };
        assert_eq!(state.to_value().unwrap(), "o:a_b_c_d_");
        assert_eq!(DdState::default().to_value(), None);
    }
}
