"""Checks Jaeger JSON files the way the Jaeger UI's "JSON File" upload reads them, and prints
what the UI would show (peer of tests/jaeger_json.rs).

The UI parses the file with JSON.parse, takes the `data` array of traces, and for each trace
(transformTraceData) needs a `traceID`, drops spans without a `startTime`, looks each span's
`processID` up in `processes`, builds the span tree from each span's first reference
(`refType` must be CHILD_OF or FOLLOWS_FROM, else it throws), and renders `tags` and log
`fields` by their `type`. This script enforces those requirements and the field types of the
Jaeger query API's JSON model, and fails (exit 1, reason on stderr) on any violation.

argv: the files. stdout: a JSON list, per trace (in file order), of
{"traceID", "spans": [{"spanID", "operationName", "parent", "references", "startTime",
"duration", "tags", "logs", "serviceName", "processTags", "depth"}]}.
"""
import json
import re
import sys

HEX = re.compile(r"[0-9a-f]+")
TAG_TYPES = {
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float64": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "binary": lambda v: isinstance(v, str),
}


class Invalid(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Invalid(msg)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_tags(tags, where):
    need(isinstance(tags, list), f"{where}: tags must be a list")
    out = []
    for t in tags:
        need(isinstance(t, dict), f"{where}: a tag must be an object")
        need(set(t) == {"key", "type", "value"}, f"{where}: tag fields {sorted(t)}")
        need(isinstance(t["key"], str) and t["key"], f"{where}: tag key must be a non-empty string")
        need(t["type"] in TAG_TYPES, f"{where}: unknown tag type {t['type']!r}")
        need(TAG_TYPES[t["type"]](t["value"]), f"{where}: tag {t['key']} value does not match type {t['type']}")
        out.append([t["key"], t["type"], t["value"]])
    return out


def check_trace(trace):
    need(isinstance(trace, dict), "a trace must be an object")
    trace_id = trace.get("traceID")
    need(isinstance(trace_id, str) and trace_id, "traceID missing")
    need(HEX.fullmatch(trace_id) and len(trace_id) in (16, 32), f"traceID {trace_id!r} is not 16 or 32 lowercase hex")
    processes = trace.get("processes")
    need(isinstance(processes, dict) and processes, "processes missing")
    for pid, p in processes.items():
        need(isinstance(p, dict), f"process {pid} must be an object")
        need(isinstance(p.get("serviceName"), str) and p["serviceName"], f"process {pid}: serviceName")
        check_tags(p.get("tags"), f"process {pid}")
    need(trace.get("warnings") is None or isinstance(trace["warnings"], list), "trace warnings")
    spans = trace.get("spans")
    need(isinstance(spans, list) and spans, "spans missing")
    by_id = {}
    for s in spans:
        need(isinstance(s, dict), "a span must be an object")
        sid = s.get("spanID")
        need(isinstance(sid, str) and HEX.fullmatch(sid) and len(sid) == 16, f"spanID {sid!r}")
        need(sid not in by_id, f"duplicate spanID {sid}")
        need(s.get("traceID") == trace_id, f"span {sid}: traceID differs from the trace's")
        need(isinstance(s.get("operationName"), str), f"span {sid}: operationName")
        need(is_int(s.get("startTime")) and s["startTime"] > 0, f"span {sid}: startTime must be a positive integer (µs)")
        need(is_int(s.get("duration")) and s["duration"] >= 0, f"span {sid}: duration must be a non-negative integer (µs)")
        need(s.get("processID") in processes, f"span {sid}: processID not in processes")
        need("flags" not in s or is_int(s["flags"]), f"span {sid}: flags")
        need(s.get("warnings") is None or all(isinstance(w, str) for w in s["warnings"]), f"span {sid}: warnings")
        refs = s.get("references")
        need(isinstance(refs, list), f"span {sid}: references must be a list")
        for r in refs:
            need(isinstance(r, dict) and set(r) == {"refType", "traceID", "spanID"}, f"span {sid}: reference fields")
            need(r["refType"] in ("CHILD_OF", "FOLLOWS_FROM"), f"span {sid}: refType {r['refType']!r}")
            need(isinstance(r["traceID"], str) and HEX.fullmatch(r["traceID"]), f"span {sid}: reference traceID")
            need(isinstance(r["spanID"], str) and HEX.fullmatch(r["spanID"]) and len(r["spanID"]) == 16, f"span {sid}: reference spanID")
        logs = s.get("logs")
        need(isinstance(logs, list), f"span {sid}: logs must be a list")
        for log in logs:
            need(isinstance(log, dict) and set(log) == {"timestamp", "fields"}, f"span {sid}: log fields")
            need(is_int(log["timestamp"]) and log["timestamp"] > 0, f"span {sid}: log timestamp")
        by_id[sid] = s
    # The UI's tree: the parent is the first reference's span when it is in the trace.
    def parent(s):
        refs = s["references"]
        if refs and refs[0]["spanID"] in by_id and refs[0]["traceID"] == trace_id:
            return refs[0]["spanID"]
        return None

    def depth(s):
        seen, d, cur = set(), 0, s
        while parent(cur) is not None:
            need(cur["spanID"] not in seen, "cycle in span references")
            seen.add(cur["spanID"])
            cur = by_id[parent(cur)]
            d += 1
        return d

    out = []
    for s in spans:
        proc = processes[s["processID"]]
        out.append({
            "spanID": s["spanID"],
            "operationName": s["operationName"],
            "parent": parent(s),
            "references": [[r["refType"], r["traceID"], r["spanID"]] for r in s["references"]],
            "startTime": s["startTime"],
            "duration": s["duration"],
            "tags": check_tags(s.get("tags"), f"span {s['spanID']}"),
            "logs": [{"timestamp": l["timestamp"], "fields": check_tags(l["fields"], "log")} for l in s["logs"]],
            "serviceName": proc["serviceName"],
            "processTags": check_tags(proc["tags"], "process"),
            "depth": depth(s),
        })
    return {"traceID": trace_id, "spans": out}


def main():
    result = []
    try:
        for path in sys.argv[1:]:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            need(isinstance(doc, dict) and isinstance(doc.get("data"), list), f"{path}: no data array")
            for trace in doc["data"]:
                result.append(check_trace(trace))
    except (Invalid, ValueError) as e:
        print(f"invalid Jaeger JSON: {e}", file=sys.stderr)
        sys.exit(1)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
