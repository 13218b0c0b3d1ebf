//! Turning the model's Markdown text into rustdoc that builds without warnings.
//!
//! The model is written for GitHub-flavoured Markdown; rustdoc reads the same syntax but
//! differs in a few places, each handled here:
//! - `[text]` without a target is an intra-doc link to rustdoc: the brackets are escaped;
//! - links relative to the model's repository are made absolute (to the tagged release);
//! - bare URLs are a lint: they become autolinks `<https://...>`;
//! - `<word>` outside code is taken as an HTML tag: `<` is escaped;
//! - fenced code blocks without a language would be compiled as doctests: they become `text`;
//! - "lazy" continuation lines of list items are indented (same rendering, no clippy lint).
//!
//! Code spans and link destinations are copied as they are.

/// Rewrites `text` (Markdown from the model) into rustdoc-safe Markdown. `repo_base` is the
/// URL that absolute repository paths (`/docs/...`) are resolved against.
pub(crate) fn sanitize(text: &str, repo_base: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut prose = String::new();
    let mut in_fence = false;
    // The content column of the list item being continued, if any.
    let mut list_item: Option<usize> = None;
    let mut indented = String::new();
    for line in text.lines() {
        if !in_fence {
            if line.trim().is_empty() {
                list_item = None;
            } else if let Some(column) = list_item_content(line) {
                list_item = Some(column);
            } else if let Some(column) = list_item {
                let indent = line.len() - line.trim_start().len();
                if indent < column {
                    indented.clear();
                    indented.push_str(&" ".repeat(column - indent));
                    indented.push_str(line);
                }
            }
        }
        let line = if indented.is_empty() {
            line
        } else {
            indented.as_str()
        };
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if !in_fence {
                out.push_str(&inline(&prose, repo_base));
                prose.clear();
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(indent);
                out.push_str("```text\n");
            } else {
                out.push_str(line.trim_end());
                out.push('\n');
            }
            in_fence = !in_fence;
        } else if in_fence {
            out.push_str(line.trim_end());
            out.push('\n');
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
        indented.clear();
    }
    out.push_str(&inline(&prose, repo_base));
    if in_fence {
        out.push_str("```\n");
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

/// The column where the text of a list item starts, if `line` starts one (`- `, `* `,
/// `+ `, `1. `, `1) `).
fn list_item_content(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match rest.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => return None,
    };
    let spaces = rest[marker..].bytes().take_while(|&c| c == b' ').count();
    (spaces > 0 && marker + spaces < rest.len()).then_some(indent + marker + spaces)
}

/// Escapes the inline constructs of a stretch of prose (no fenced blocks in it).
fn inline(s: &str, repo_base: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'`' => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                match find_backtick_run(&b[i + run..], run) {
                    Some(end) => {
                        let stop = i + run + end + run;
                        out.push_str(&s[i..stop]);
                        i = stop;
                    }
                    None => {
                        out.push_str(&s[i..i + run]);
                        i += run;
                    }
                }
            }
            b'\\' => {
                // Already an escape: keep it and the character it escapes.
                let next = s[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&s[i..i + 1 + next]);
                i += 1 + next;
            }
            b'[' => match link_end(s, i) {
                Some((text_end, dest_end)) => {
                    out.push_str(&s[i..=text_end]); // `[text]`
                    out.push('(');
                    out.push_str(&absolute_url(&s[text_end + 2..dest_end], repo_base));
                    out.push(')');
                    i = dest_end + 1;
                }
                None => {
                    out.push_str("\\[");
                    i += 1;
                }
            },
            b']' => {
                out.push_str("\\]");
                i += 1;
            }
            b'<' => match autolink_end(s, i) {
                Some(end) => {
                    out.push_str(&s[i..=end]);
                    i = end + 1;
                }
                None => {
                    out.push_str("\\<");
                    i += 1;
                }
            },
            b'h' if starts_url(s, i) => {
                let end = url_end(s, i);
                out.push('<');
                out.push_str(&s[i..end]);
                out.push('>');
                i = end;
            }
            _ => {
                let len = s[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&s[i..i + len]);
                i += len;
            }
        }
    }
    out
}

/// Offset of the next run of exactly `run` backticks in `b`.
fn find_backtick_run(b: &[u8], run: usize) -> Option<usize> {
    let mut j = 0;
    while j < b.len() {
        if b[j] == b'`' {
            let len = b[j..].iter().take_while(|&&c| c == b'`').count();
            if len == run {
                return Some(j);
            }
            j += len;
        } else {
            j += 1;
        }
    }
    None
}

/// For `[text](dest)` starting at `start`, the offsets of the `]` and of the closing `)`.
fn link_end(s: &str, start: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let text_end = matching(b, start, b'[', b']')?;
    if b.get(text_end + 1) != Some(&b'(') {
        return None;
    }
    let dest_end = matching(b, text_end + 1, b'(', b')')?;
    Some((text_end, dest_end))
}

/// The offset of the bracket closing the one at `start`, not crossing a blank line.
fn matching(b: &[u8], start: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in b.iter().enumerate().skip(start) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        } else if c == b'\n' && b.get(j + 1) == Some(&b'\n') {
            return None;
        }
    }
    None
}

/// For an autolink `<scheme://...>` at `start`, the offset of its `>`.
fn autolink_end(s: &str, start: usize) -> Option<usize> {
    if !starts_url(s, start + 1) {
        return None;
    }
    let rest = &s[start..];
    let end = rest.find(|c: char| c == '>' || c.is_whitespace())?;
    (rest.as_bytes()[end] == b'>').then_some(start + end)
}

fn starts_url(s: &str, i: usize) -> bool {
    let rest = &s[i.min(s.len())..];
    rest.starts_with("https://") || rest.starts_with("http://")
}

/// The end of a bare URL at `start`: up to white space, without trailing punctuation (and
/// without a closing parenthesis that the URL did not open).
fn url_end(s: &str, start: usize) -> usize {
    let rest = &s[start..];
    let mut end = rest
        .find(|c: char| c.is_whitespace() || "<>\"'`".contains(c))
        .unwrap_or(rest.len());
    loop {
        let url = &rest[..end];
        let Some(last) = url.chars().last() else {
            break;
        };
        let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
        if ".,;:!?*_".contains(last) || unbalanced {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    start + end
}

/// Makes a link target usable from docs.rs: repository paths point at the tagged release;
/// other relative paths are relative to the generated attribute registry pages.
fn absolute_url(dest: &str, repo_base: &str) -> String {
    let dest = dest.trim();
    if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with('#') {
        dest.to_owned()
    } else if let Some(path) = dest.strip_prefix('/') {
        format!("{repo_base}/{path}")
    } else {
        let path = dest.trim_start_matches("./");
        format!("{repo_base}/docs/registry/attributes/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    const BASE: &str = "https://example.org/repo";

    #[test]
    fn escapes_reference_brackets_but_keeps_links_and_code() {
        assert_eq!(
            sanitize("see [RFC](https://x.org/a) and [x] or `a[0]`", BASE),
            "see [RFC](https://x.org/a) and \\[x\\] or `a[0]`"
        );
        assert_eq!(sanitize("> [!NOTE]\n> text", BASE), "> \\[!NOTE\\]\n> text");
        assert_eq!(
            sanitize("![Dev](https://img.example/x)", BASE),
            "![Dev](https://img.example/x)"
        );
    }

    #[test]
    fn makes_bare_urls_autolinks() {
        assert_eq!(
            sanitize("see https://x.org/a_b). And (http://y.org/(c)).", BASE),
            "see <https://x.org/a_b>). And (<http://y.org/(c)>)."
        );
        assert_eq!(
            sanitize("<https://x.org> kept", BASE),
            "<https://x.org> kept"
        );
    }

    #[test]
    fn escapes_html_like_tags() {
        assert_eq!(sanitize("a <key> b `<key>`", BASE), "a \\<key> b `<key>`");
    }

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            sanitize("[s](/docs/a.md#b) [o](./os.md)", BASE),
            "[s](https://example.org/repo/docs/a.md#b) \
             [o](https://example.org/repo/docs/registry/attributes/os.md)"
        );
    }

    #[test]
    fn fences_become_text_and_are_not_touched() {
        assert_eq!(
            sanitize("before [x]:\n\n```\nA[0] <- https://z\n```\nafter", BASE),
            "before \\[x\\]:\n\n```text\nA[0] <- https://z\n```\nafter"
        );
    }

    #[test]
    fn indents_lazy_list_continuations() {
        assert_eq!(
            sanitize("- item\nlazy\n  - sub\n  lazy\n\nafter", BASE),
            "- item\n  lazy\n  - sub\n    lazy\n\nafter"
        );
        assert_eq!(sanitize("1. one\ntwo", BASE), "1. one\n   two");
    }

    #[test]
    fn keeps_code_spans_over_lines_and_escapes() {
        assert_eq!(sanitize("`a\n[b]` \\[c\\]", BASE), "`a\n[b]` \\[c\\]");
        assert_eq!(sanitize("x ``a`b`` y", BASE), "x ``a`b`` y");
    }
}
