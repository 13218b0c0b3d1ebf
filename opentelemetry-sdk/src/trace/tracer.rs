//! The SDK tracer: span creation, sampling and limits.

use super::export::{SpanData, SpanEvents, SpanLinks};
use super::provider::SdkTracerProvider;
use super::sampler::SamplingDecision;
use super::span::{limit_attributes, Span};
use opentelemetry_api::trace::{
    SpanBuilder, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags,
};
use opentelemetry_api::{Context, InstrumentationScope};
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// Whether a link is kept: a valid span context, or an invalid one that still carries
/// attributes or a trace state (the API spec says such links should be recorded).
pub(crate) fn keep_link(
    span_context: &SpanContext,
    attributes: &[opentelemetry_api::KeyValue],
) -> bool {
    span_context.is_valid() || !attributes.is_empty() || !span_context.trace_state().is_empty()
}

/// A tracer of the SDK: creates [`Span`]s for one instrumentation scope.
#[derive(Clone)]
pub struct SdkTracer {
    inner: Arc<TracerInner>,
}

struct TracerInner {
    scope: &'static InstrumentationScope,
    provider: SdkTracerProvider,
}

impl fmt::Debug for SdkTracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkTracer")
            .field("scope", &self.inner.scope)
            .finish()
    }
}

impl SdkTracer {
    pub(crate) fn new(scope: InstrumentationScope, provider: SdkTracerProvider) -> Self {
        SdkTracer {
            inner: Arc::new(TracerInner {
                scope: super::scope::intern(scope),
                provider,
            }),
        }
    }

    /// The tracer's instrumentation scope.
    pub fn instrumentation_scope(&self) -> &InstrumentationScope {
        self.inner.scope
    }

    pub(crate) fn provider(&self) -> &SdkTracerProvider {
        &self.inner.provider
    }

    fn non_recording(&self, span_context: SpanContext) -> Span {
        Span::non_recording(span_context, self.clone())
    }
}

impl opentelemetry_api::trace::Tracer for SdkTracer {
    type Span = Span;

    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> Span {
        let provider = &self.inner.provider;
        let parent = parent_cx.span().span_context();
        if !provider.is_active() || parent_cx.is_telemetry_suppressed() {
            // Behave as the no-op tracer: propagate the parent's context, record nothing.
            return self.non_recording(parent.clone());
        }
        let config = provider.config();
        let parent_valid = parent_cx.has_active_span() && parent.is_valid();
        let trace_id = if parent_valid {
            parent.trace_id()
        } else {
            config.id_generator.new_trace_id()
        };
        let span_kind = builder.span_kind.unwrap_or(SpanKind::Internal);
        let mut attributes = builder.attributes.unwrap_or_default();
        let mut links = builder.links.unwrap_or_default();
        let result = config.sampler.should_sample(
            parent_cx,
            trace_id,
            &builder.name,
            span_kind,
            &attributes,
            &links,
        );
        let span_id = config.id_generator.new_span_id();
        let flags = if parent_valid {
            parent.trace_flags()
        } else {
            TraceFlags::default().with_random(config.id_generator.is_random())
        };
        let sampled = result.decision == SamplingDecision::RecordAndSample;
        let span_context = SpanContext::new(
            trace_id,
            span_id,
            flags.with_sampled(sampled),
            false,
            result.trace_state,
        );
        if result.decision == SamplingDecision::Drop {
            return self.non_recording(span_context);
        }

        let limits = &config.span_limits;
        if !result.attributes.is_empty() {
            attributes.extend(result.attributes);
        }
        let dropped_attributes_count = if attributes.is_empty() {
            0
        } else {
            limit_attributes(
                &mut attributes,
                limits.max_attributes_per_span,
                limits.max_attribute_value_length,
            )
        };
        let mut dropped_links = 0;
        if !links.is_empty() {
            links.retain(|l| keep_link(&l.span_context, &l.attributes));
            if links.len() > limits.max_links_per_span as usize {
                dropped_links = (links.len() - limits.max_links_per_span as usize) as u32;
                links.truncate(limits.max_links_per_span as usize);
            }
            for link in &mut links {
                link.dropped_attributes_count += limit_attributes(
                    &mut link.attributes,
                    limits.max_attributes_per_link,
                    limits.max_attribute_value_length,
                );
            }
        }
        let creation_drops = dropped_attributes_count > 0 || dropped_links > 0;
        if creation_drops {
            opentelemetry_api::otel_warn!(
                "Span.LimitReached",
                "span {:?}: {dropped_attributes_count} attributes and {dropped_links} links dropped \
                 by span limits at start (reported once per span)",
                builder.name
            );
        }
        // Built in place in the span (a `SpanData` local would be one more copy).
        let span = Span::recording(
            SpanData {
                span_context,
                parent_span_id: if parent_valid {
                    parent.span_id()
                } else {
                    SpanId::INVALID
                },
                parent_span_is_remote: parent_valid && parent.is_remote(),
                span_kind,
                name: builder.name,
                start_time: builder.start_time.unwrap_or_else(crate::clock::now),
                // Set when the span ends.
                end_time: SystemTime::UNIX_EPOCH,
                attributes,
                dropped_attributes_count,
                events: SpanEvents::default(),
                links: SpanLinks {
                    links,
                    dropped_count: dropped_links,
                },
                status: Status::Unset,
                instrumentation_scope: self.inner.scope,
            },
            creation_drops,
            self.clone(),
        );
        if !provider.calls_on_start() {
            return span;
        }
        let mut span = span;
        for processor in provider.processors() {
            processor.on_start(&mut span, parent_cx);
        }
        span
    }

    fn enabled(&self) -> bool {
        self.inner.provider.is_active() && !self.inner.provider.processors().is_empty()
    }
}
