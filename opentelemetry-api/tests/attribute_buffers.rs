//! `SpanBuilder::with_attributes` collects into the buffers of a registered source (the
//! registration is process-wide: this test has its own process under nextest).

use opentelemetry_api::trace::{set_attribute_buffer_source, SpanBuilder};
use opentelemetry_api::KeyValue;
use std::sync::Mutex;

static BUFFERS: Mutex<Vec<Vec<KeyValue>>> = Mutex::new(Vec::new());

fn take() -> Option<Vec<KeyValue>> {
    BUFFERS.lock().unwrap().pop()
}

fn give(buffer: Vec<KeyValue>) -> (*const KeyValue, usize) {
    let id = (buffer.as_ptr(), buffer.capacity());
    BUFFERS.lock().unwrap().push(buffer);
    id
}

fn id(attributes: &[KeyValue], capacity: usize) -> (*const KeyValue, usize) {
    (attributes.as_ptr(), capacity)
}

#[test]
fn with_attributes_collects_into_registered_buffers_when_they_have_room() {
    let three = || {
        [
            KeyValue::new("a", 1_i64),
            KeyValue::new("b", "two"),
            KeyValue::new("c", true),
        ]
    };
    // Nothing registered: a new `Vec`, as always.
    let builder = SpanBuilder::from_name("s").with_attributes(three());
    assert_eq!(builder.attributes.unwrap(), three());

    set_attribute_buffer_source(take);
    // Registered but empty: a new `Vec`.
    let builder = SpanBuilder::from_name("s").with_attributes(three());
    assert_eq!(builder.attributes.unwrap(), three());

    // An array, an iterator and a `Vec` go into the buffer, in order.
    let inputs: [Box<dyn Fn() -> SpanBuilder>; 3] = [
        Box::new(|| SpanBuilder::from_name("s").with_attributes(three())),
        Box::new(|| SpanBuilder::from_name("s").with_attributes(three().into_iter().rev().rev())),
        Box::new(|| SpanBuilder::from_name("s").with_attributes(three().to_vec())),
    ];
    for input in &inputs {
        let buffer = give(Vec::with_capacity(4));
        let attributes = input().attributes.unwrap();
        assert_eq!(attributes, three());
        assert_eq!(id(&attributes, attributes.capacity()), buffer);
    }

    // Too small for what is known to come: set aside (freed), a new `Vec` is used.
    let small = give(Vec::with_capacity(2));
    let attributes = inputs[0]().attributes.unwrap();
    assert_eq!(attributes, three());
    assert_ne!(id(&attributes, attributes.capacity()), small);
    assert!(BUFFERS.lock().unwrap().is_empty());

    // A buffer handed out with something in it is emptied first.
    give(vec![KeyValue::new("stale", 0_i64); 2]);
    let mut roomy = std::mem::take(&mut *BUFFERS.lock().unwrap());
    roomy[0].reserve(8);
    BUFFERS.lock().unwrap().append(&mut roomy);
    assert_eq!(inputs[0]().attributes.unwrap(), three());
}
