#!/usr/bin/env python3
"""Checks the compliance ledger (compliance/rust.yaml) against the spec's matrix template.

Fails (exit 1) when
  (a) a row of the template is missing from the ledger, out of order, or has no valid status
      ('+', '-' or 'N/A'), or the ledger has a row the template does not;
  (b) a test named by a '+' row is not in `cargo nextest list --workspace --all-features` (or is ignored);
  (c) a '+' row names no test.
Also fails when a row that is not '+' lists tests, or an 'N/A' row has no note. Prints a
one-line summary of the counts.

Python 3 standard library only: the YAML here is block-style (mappings, sequences, plain and
quoted scalars that may span lines), and `parse_yaml` reads exactly that subset.

Usage: check_ledger.py [--ledger PATH] [--template PATH] [--nextest-json PATH]
Without --nextest-json, runs `cargo nextest list --workspace --all-features --message-format json`
(the feature set CI tests with).
"""

import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUSES = ("+", "-", "N/A")
# Where the spec sits beside a checkout (see shared/README.md); used only to warn when the
# vendored template has fallen behind it.
SHARED_TEMPLATE = os.path.join(
    os.path.dirname(ROOT), "shared", "spec", "otel-specification", "spec-compliance-matrix",
    "template.yaml",
)


class YamlError(Exception):
    pass


_KEY = re.compile(r"""^(?P<key>[A-Za-z_][\w.-]*|'(?:[^']|'')*'|"(?:[^"\\]|\\.)*")\s*:(?:\s+|$)""")


def _strip_comment(text):
    """Drops a ` #` comment that is outside quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " :-["):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def _lines(source):
    out = []
    for number, raw in enumerate(source.splitlines(), 1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise YamlError(f"line {number}: tab in indentation")
        text = _strip_comment(raw)
        if text.strip():
            indent = len(text) - len(text.lstrip(" "))
            out.append([indent, text.strip(), number])
    return out


def _scalar(parts, number):
    text = " ".join(parts)
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise YamlError(f"line {number}: unterminated single-quoted string")
        return text[1:-1].replace("''", "'")
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise YamlError(f"line {number}: unterminated double-quoted string")
        return json.loads(text)
    if text[:1] in "[{&*!|>%@`":
        raise YamlError(f"line {number}: unsupported YAML construct: {text[:30]!r}")
    return text


def _parse_block(lines, i, indent):
    """Parses the node whose lines start at lines[i] at exactly `indent`."""
    if lines[i][1] == "-" or lines[i][1].startswith("- "):
        return _parse_sequence(lines, i, indent)
    if _KEY.match(lines[i][1]):
        return _parse_mapping(lines, i, indent)
    parts, j = [], i
    while j < len(lines) and lines[j][0] >= indent:
        parts.append(lines[j][1])
        j += 1
    return _scalar(parts, lines[i][2]), j


def _parse_sequence(lines, i, indent):
    items = []
    while i < len(lines) and lines[i][0] == indent:
        text = lines[i][1]
        if not (text == "-" or text.startswith("- ")):
            break
        rest = text[1:].lstrip(" ")
        if rest:
            # The item's content behaves as a block indented to where it starts.
            lines[i] = [indent + len(text) - len(rest), rest, lines[i][2]]
            value, i = _parse_block(lines, i, lines[i][0])
        elif i + 1 < len(lines) and lines[i + 1][0] > indent:
            value, i = _parse_block(lines, i + 1, lines[i + 1][0])
        else:
            value, i = None, i + 1
        items.append(value)
    if i < len(lines) and lines[i][0] > indent:
        raise YamlError(f"line {lines[i][2]}: bad indentation")
    return items, i


def _parse_mapping(lines, i, indent):
    mapping = {}
    while i < len(lines) and lines[i][0] == indent:
        indent_, text, number = lines[i]
        match = _KEY.match(text)
        if not match:
            raise YamlError(f"line {number}: expected 'key: value'")
        key = _scalar([match.group("key")], number)
        if key in mapping:
            raise YamlError(f"line {number}: duplicate key {key!r}")
        rest = text[match.end():]
        i += 1
        if rest:
            parts = [rest]
            while i < len(lines) and lines[i][0] > indent:
                parts.append(lines[i][1])
                i += 1
            mapping[key] = _scalar(parts, number)
        elif i < len(lines) and (
            lines[i][0] > indent
            or (lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")))
        ):
            mapping[key], i = _parse_block(lines, i, lines[i][0])
        else:
            mapping[key] = None
    if i < len(lines) and lines[i][0] > indent:
        raise YamlError(f"line {lines[i][2]}: bad indentation")
    return mapping, i


def parse_yaml(source):
    lines = _lines(source)
    if not lines:
        return None
    value, i = _parse_block(lines, 0, lines[0][0])
    if i != len(lines):
        raise YamlError(f"line {lines[i][2]}: unexpected content")
    return value


def rows(document, where):
    """Yields (path, row) for every feature row, path being section > heading > name."""
    if not isinstance(document, dict) or not isinstance(document.get("sections"), list):
        raise YamlError(f"{where}: no 'sections' list")

    def walk(features, path):
        for entry in features or []:
            if not isinstance(entry, dict):
                raise YamlError(f"{where}: {' > '.join(path)}: entry is not a mapping")
            if "heading" in entry:
                yield from walk(entry.get("features"), path + (entry["heading"],))
            elif "name" in entry:
                yield path + (entry["name"],), entry
            else:
                raise YamlError(f"{where}: {' > '.join(path)}: entry without name or heading")

    for section in document["sections"]:
        yield from walk(section.get("features"), (section["name"],))


def nextest_tests(json_path):
    """The set of 'binary-id test-name' nextest lists, and the subset that is ignored."""
    if json_path:
        with open(json_path, encoding="utf-8") as f:
            listing = json.load(f)
    else:
        command = ["cargo", "nextest", "list", "--workspace", "--all-features", "--message-format", "json"]
        print("+ " + " ".join(command), flush=True)
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, check=False)
        if done.returncode != 0:
            sys.exit(f"check_ledger: `{' '.join(command)}` failed ({done.returncode})")
        listing = json.loads(done.stdout)
    listed, ignored = set(), set()
    for binary_id, suite in listing.get("rust-suites", {}).items():
        for name, case in suite.get("testcases", {}).items():
            listed.add(f"{binary_id} {name}")
            if case.get("ignored"):
                ignored.add(f"{binary_id} {name}")
    return listed, ignored


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ledger", default=os.path.join(ROOT, "compliance", "rust.yaml"))
    parser.add_argument("--template", default=os.path.join(ROOT, "compliance", "template.yaml"))
    parser.add_argument("--nextest-json", help="a saved `cargo nextest list` JSON listing")
    args = parser.parse_args()

    with open(args.template, encoding="utf-8") as f:
        template_text = f.read()
    if os.path.exists(SHARED_TEMPLATE) and os.path.abspath(SHARED_TEMPLATE) != os.path.abspath(
        args.template
    ):
        with open(SHARED_TEMPLATE, encoding="utf-8") as f:
            if f.read() != template_text:
                print(f"check_ledger: warning: {args.template} differs from {SHARED_TEMPLATE}; "
                      "copy the newer template and add its rows to the ledger")
    try:
        template = list(rows(parse_yaml(template_text), args.template))
        with open(args.ledger, encoding="utf-8") as f:
            ledger = list(rows(parse_yaml(f.read()), args.ledger))
    except YamlError as e:
        sys.exit(f"check_ledger: {e}")

    errors = []
    expected = [path for path, _ in template]
    actual = [path for path, _ in ledger]
    missing = [p for p in expected if p not in set(actual)]
    extra = [p for p in actual if p not in set(expected)]
    for p in missing:
        errors.append(f"row missing from the ledger: {' > '.join(p)}")
    for p in extra:
        errors.append(f"row not in the template: {' > '.join(p)}")
    if not missing and not extra and actual != expected:
        first = next(i for i, (a, e) in enumerate(zip(actual, expected)) if a != e)
        errors.append(f"rows are not in the template's order: expected "
                      f"{' > '.join(expected[first])!r}, found {' > '.join(actual[first])!r}")

    counts = {s: 0 for s in STATUSES}
    wanted = {}  # test -> first row naming it
    for path, row in ledger:
        label = " > ".join(path)
        status = row.get("status")
        tests = row.get("tests") or []
        if status not in STATUSES:
            errors.append(f"{label}: status {status!r} is not one of {', '.join(STATUSES)}")
            continue
        counts[status] += 1
        if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
            errors.append(f"{label}: tests must be a list of names")
            continue
        if status == "+" and not tests:
            errors.append(f"{label}: '+' without tests")
        if status != "+" and tests:
            errors.append(f"{label}: status {status!r} but lists tests (mark it '+'?)")
        if status == "N/A" and not row.get("note"):
            errors.append(f"{label}: 'N/A' needs a note saying why")
        for test in tests:
            wanted.setdefault(test, label)

    if wanted:
        listed, ignored = nextest_tests(args.nextest_json)
        for test, label in wanted.items():
            if test not in listed:
                errors.append(f"{label}: test not found by nextest: {test}")
            elif test in ignored:
                errors.append(f"{label}: test is #[ignore]d, so it proves nothing: {test}")

    for e in errors:
        print(f"check_ledger: error: {e}")
    summary = (f"compliance ledger: {len(ledger)} rows: {counts['+']} '+', {counts['-']} '-', "
               f"{counts['N/A']} 'N/A'; {len(wanted)} tests named")
    print(summary + (f"; {len(errors)} error(s)" if errors else "; ok"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
