//! Normalization of metric keys, dimension keys and dimension values, following the rules of
//! the Dynatrace metrics ingestion protocol (and its reference implementation,
//! `dynatrace-metric-utils`).
//!
//! Lengths are counted in characters (Unicode scalar values), not bytes.

use std::borrow::Cow;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Longest metric key, in characters.
pub(crate) const METRIC_KEY_MAX_LEN: usize = 250;
/// Longest dimension key, in characters.
pub(crate) const DIMENSION_KEY_MAX_LEN: usize = 100;
/// Longest dimension value, in characters (before and after escaping).
pub(crate) const DIMENSION_VALUE_MAX_LEN: usize = 250;

/// The first `max` characters of `s`.
#[inline]
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    if s.len() <= max {
        // At most `max` bytes, so at most `max` characters.
        return s;
    }
    match s.char_indices().nth(max) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

/// Whitespace as Python's `str.strip` sees it: Unicode white space plus the information
/// separators U+001C..U+001F.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[inline]
fn metric_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Appends one normalized metric-key section: a leading run of characters that may not start
/// a section becomes one `_`, and each later run of invalid characters becomes one `_`.
fn push_metric_key_section(section: &str, first: bool, out: &mut String) {
    let starts = |c: char| c.is_ascii_alphabetic() || c == '_' || (!first && c.is_ascii_digit());
    let start = section.find(starts).unwrap_or(section.len());
    if start > 0 {
        out.push('_');
    }
    push_replacing_runs(&section[start..], metric_key_char, out);
}

/// Appends `s`, replacing each run of characters that fail `valid` with one `_`.
#[inline]
fn push_replacing_runs(s: &str, valid: impl Fn(char) -> bool, out: &mut String) {
    let mut in_run = false;
    for c in s.chars() {
        if valid(c) {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
}

/// Normalizes a metric key; `None` when nothing valid is left (empty key, or an empty or
/// blank first section).
///
/// The key is cut to 250 characters, then split into `.`-separated sections. The first
/// section must start with a letter or `_`, the others with a letter, digit or `_`; a run of
/// other leading characters becomes one `_`. Other characters must be ASCII letters, digits,
/// `_` or `-`; each run of invalid ones becomes one `_`. Empty sections after the first are
/// dropped.
pub(crate) fn metric_key(key: &str) -> Option<String> {
    let key = truncate_chars(key, METRIC_KEY_MAX_LEN);
    let mut sections = key.split('.');
    let first = sections.next()?;
    if first.chars().all(is_py_space) {
        return None;
    }
    let mut out = String::with_capacity(key.len());
    push_metric_key_section(first, true, &mut out);
    for section in sections {
        if !section.is_empty() {
            out.push('.');
            push_metric_key_section(section, false, &mut out);
        }
    }
    Some(out)
}

#[inline]
fn dimension_key_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | ':')
}

/// Normalizes a dimension key; `None` when nothing is left.
///
/// The key is cut to 100 characters and split into `.`-separated sections; each is
/// lower-cased, a leading run of characters other than `a-z` and `_` becomes one `_`, and
/// each later run of characters other than `a-z`, `0-9`, `_`, `-` and `:` becomes one `_`.
/// Empty sections are dropped.
pub(crate) fn dimension_key(key: &str) -> Option<Cow<'_, str>> {
    if is_normalized_dimension_key(key) {
        return Some(Cow::Borrowed(key));
    }
    let key = truncate_chars(key, DIMENSION_KEY_MAX_LEN);
    let mut out = String::with_capacity(key.len());
    for section in key.split('.').filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('.');
        }
        let mut lower = section.chars().flat_map(char::to_lowercase).peekable();
        let mut leading = false;
        while lower
            .peek()
            .is_some_and(|&c| !(c.is_ascii_lowercase() || c == '_'))
        {
            lower.next();
            leading = true;
        }
        if leading {
            out.push('_');
        }
        let mut in_run = false;
        for c in lower {
            if dimension_key_char(c) {
                out.push(c);
                in_run = false;
            } else if !in_run {
                out.push('_');
                in_run = true;
            }
        }
    }
    (!out.is_empty()).then_some(Cow::Owned(out))
}

/// Whether normalizing `key` would leave it unchanged: at most 100 bytes, `.`-separated
/// non-empty sections of ASCII `a-z`, `0-9`, `_`, `-`, `:` that start with `a-z` or `_`.
#[inline]
fn is_normalized_dimension_key(key: &str) -> bool {
    if key.is_empty() || key.len() > DIMENSION_KEY_MAX_LEN {
        return false;
    }
    key.split('.').all(|section| {
        let b = section.as_bytes();
        !b.is_empty()
            && (b[0].is_ascii_lowercase() || b[0] == b'_')
            && b.iter().all(|&c| dimension_key_char(c as char))
    })
}

/// Whether `c` is in Unicode's "Other" group (control, format, surrogate, private use,
/// unassigned).
#[inline]
fn is_other(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.general_category_group() == GeneralCategoryGroup::Other
}

/// Normalizes a dimension value: cut to 250 characters, and each run of control, format,
/// private-use or unassigned characters replaced by one `_`.
pub(crate) fn dimension_value(value: &str) -> Cow<'_, str> {
    // The common case: short enough and nothing to replace.
    if value.len() <= DIMENSION_VALUE_MAX_LEN && !value.chars().any(is_other) {
        return Cow::Borrowed(value);
    }
    let value = truncate_chars(value, DIMENSION_VALUE_MAX_LEN);
    let mut out = String::with_capacity(value.len());
    push_replacing_runs(value, |c| !is_other(c), &mut out);
    Cow::Owned(out)
}

/// Appends a normalized dimension value to `out`, escaping `=`, space, `,`, `\` and `"` with
/// a backslash; the escaped value is cut to 250 characters, and a trailing unpaired
/// backslash left by the cut is removed.
pub(crate) fn push_escaped_value(value: &str, out: &mut String) {
    let start = out.len();
    let mut chars = 0usize;
    for c in value.chars() {
        if chars >= DIMENSION_VALUE_MAX_LEN {
            break;
        }
        if matches!(c, '=' | ' ' | ',' | '\\' | '"') {
            out.push('\\');
            chars += 1;
            if chars >= DIMENSION_VALUE_MAX_LEN {
                break;
            }
        }
        out.push(c);
        chars += 1;
    }
    let escaped = &out[start..];
    let trailing = escaped.bytes().rev().take_while(|&b| b == b'\\').count();
    if trailing % 2 == 1 && trailing < escaped.len() {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(v: &str) -> String {
        let mut out = String::new();
        push_escaped_value(v, &mut out);
        out
    }

    #[test]
    fn metric_keys() {
        assert_eq!(metric_key("basecase").as_deref(), Some("basecase"));
        assert_eq!(metric_key("a.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(metric_key("1a.2b").as_deref(), Some("_a.2b"));
        assert_eq!(metric_key("a..b.").as_deref(), Some("a.b"));
        assert_eq!(metric_key("~0something").as_deref(), Some("_something"));
        assert_eq!(metric_key("a.~!b#c").as_deref(), Some("a._b_c"));
        assert_eq!(metric_key("").as_deref(), None);
        assert_eq!(metric_key(" .a").as_deref(), None);
        assert_eq!(metric_key(".a").as_deref(), None);
        let long = "a".repeat(300);
        assert_eq!(metric_key(&long).map(|k| k.len()), Some(250));
    }

    #[test]
    fn dimension_keys() {
        assert_eq!(dimension_key("Dim.Key").as_deref(), Some("dim.key"));
        assert!(matches!(dimension_key("dim.key"), Some(Cow::Borrowed(_))));
        assert_eq!(dimension_key("a.").as_deref(), Some("a"));
        assert_eq!(dimension_key("a.0").as_deref(), Some("a._"));
        assert_eq!(dimension_key("0a-b:c").as_deref(), Some("_a-b:c"));
        assert_eq!(dimension_key("a..b").as_deref(), Some("a.b"));
        assert_eq!(dimension_key("a b  c").as_deref(), Some("a_b_c"));
        assert_eq!(dimension_key("...").as_deref(), None);
        assert_eq!(dimension_key("").as_deref(), None);
    }

    #[test]
    fn dimension_values() {
        assert_eq!(dimension_value("a\u{0}\u{1}b\u{7f}"), "a_b_");
        assert_eq!(escaped("a=b c,d\\e\"f"), "a\\=b\\ c\\,d\\\\e\\\"f");
        let long = format!("{}=", "a".repeat(249));
        assert_eq!(escaped(&long), "a".repeat(249));
        assert_eq!(escaped(""), "");
    }
}
