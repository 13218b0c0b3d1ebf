//! Property tests: the JSON text of any array, any value and any string is valid JSON
//! (checked with serde_json) that reads back as the original data.

use opentelemetry_api::{json, AnyValue, Array, Key, StringValue, Value};
use proptest::prelude::*;
use serde_json::Value as Json;

fn parse(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The float a JSON element stands for: a number, or a non-finite float's name. `token`
/// is the element's own text: serde_json's default float parsing may be off by one unit in
/// the last place, so numbers are read with Rust's correctly rounded parser.
fn float_of(element: &Json, token: &str) -> f64 {
    match element {
        Json::String(name) => match name.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => panic!("unexpected string {other:?}"),
        },
        Json::Number(_) => token.parse().unwrap_or_else(|_| panic!("{token}")),
        other => panic!("unexpected {other}"),
    }
}

fn same_float(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        any::<i32>().prop_map(f64::from),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
    ]
}

fn any_value() -> impl Strategy<Value = AnyValue> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(AnyValue::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(AnyValue::Double),
        any::<String>().prop_map(AnyValue::from),
        any::<bool>().prop_map(AnyValue::Boolean),
        any::<Vec<u8>>().prop_map(|b| AnyValue::Bytes(Box::new(b))),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| AnyValue::ListAny(Box::new(v))),
            prop::collection::vec((any::<String>(), inner), 0..4).prop_map(|entries| {
                AnyValue::Map(Box::new(
                    entries
                        .into_iter()
                        .map(|(k, v)| (Key::from(k), v))
                        .collect(),
                ))
            }),
        ]
    })
}

/// What an `AnyValue` reads back as, bytes decoded by the test's own Base64 reader.
fn matches(value: &AnyValue, json: &Json) -> bool {
    match (value, json) {
        (AnyValue::Int(i), Json::Number(n)) => n.as_i64() == Some(*i),
        // Both through serde_json's own float parser, which is not always correctly rounded.
        (AnyValue::Double(f), Json::Number(n)) => {
            n.as_f64() == serde_json::from_str::<f64>(&format!("{f:e}")).ok()
        }
        (AnyValue::String(s), Json::String(t)) => s.as_str() == t,
        (AnyValue::Boolean(b), Json::Bool(c)) => b == c,
        (AnyValue::Bytes(b), Json::String(t)) => decode_base64(t).as_deref() == Some(&b[..]),
        (AnyValue::ListAny(items), Json::Array(elements)) => {
            items.len() == elements.len() && items.iter().zip(elements).all(|(v, j)| matches(v, j))
        }
        (AnyValue::Map(entries), Json::Object(members)) => {
            // Later duplicates win in serde_json's map, as in the SDK's map building.
            members.len() <= entries.len()
                && entries
                    .iter()
                    .all(|(k, _)| members.contains_key(k.as_str()))
                && members.iter().all(|(k, j)| {
                    entries
                        .iter()
                        .rev()
                        .find(|(key, _)| key.as_str() == k)
                        .is_some_and(|(_, v)| matches(v, j))
                })
        }
        _ => false,
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if text.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::new();
    for quad in text.as_bytes().chunks(4) {
        let pad = quad.iter().filter(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in quad {
            let six = if c == b'=' {
                0
            } else {
                ALPHABET.iter().position(|&a| a == c)? as u32
            };
            n = n << 6 | six;
        }
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}

proptest! {
    #[test]
    fn any_string_round_trips(s in any::<String>()) {
        let mut out = String::new();
        json::write_string(&mut out, &s);
        prop_assert_eq!(parse(&out), Json::String(s));
    }

    #[test]
    fn string_arrays_round_trip(items in prop::collection::vec(any::<String>(), 0..6)) {
        let array = Array::String(items.iter().cloned().map(StringValue::from).collect());
        let mut out = String::new();
        array.write_json(&mut out);
        let expected: Vec<Json> = items.into_iter().map(Json::String).collect();
        prop_assert_eq!(parse(&out), Json::Array(expected));
        prop_assert_eq!(array.to_string(), out);
    }

    #[test]
    fn float_arrays_round_trip(items in prop::collection::vec(any_f64(), 0..6)) {
        let mut out = String::new();
        Value::from(items.clone()).write_json(&mut out);
        let Json::Array(elements) = parse(&out) else {
            panic!("not an array: {out}");
        };
        prop_assert_eq!(elements.len(), items.len());
        // No element holds a comma: the tokens are the text between them.
        let inner = &out[1..out.len() - 1];
        let tokens = inner.split(',').filter(|t| !t.is_empty());
        for ((f, element), token) in items.iter().zip(&elements).zip(tokens) {
            let read = float_of(element, token);
            prop_assert!(same_float(*f, read), "{} read back as {} from {}", f, read, out);
        }
    }

    #[test]
    fn integer_and_bool_arrays_round_trip(
        ints in prop::collection::vec(any::<i64>(), 0..6),
        bools in prop::collection::vec(any::<bool>(), 0..6),
    ) {
        let mut out = String::new();
        Array::I64(ints.clone()).write_json(&mut out);
        prop_assert_eq!(parse(&out), Json::from(ints));
        out.clear();
        Array::Bool(bools.clone()).write_json(&mut out);
        prop_assert_eq!(parse(&out), Json::from(bools));
    }

    #[test]
    fn any_values_round_trip(value in any_value()) {
        let mut out = String::new();
        value.write_json(&mut out);
        let read = parse(&out);
        prop_assert!(matches(&value, &read), "{:?} read back as {}", value, read);
    }
}
