"""Validates a Zipkin v2 JSON body (stdin) against zipkin2-api.yaml's ListOfSpans with jsonschema.

argv[1]: the path of zipkin2-api.yaml. Exits 0 and prints "valid <n>" when the body validates and
a deliberately broken copy does not (proving the validator checks what it should); prints the
errors and exits 1 otherwise.
"""
import copy
import json
import sys

import jsonschema
import yaml

with open(sys.argv[1]) as f:
    api = yaml.safe_load(f)
schema = {"definitions": api["definitions"], "$ref": "#/definitions/ListOfSpans"}
validator = jsonschema.Draft4Validator(
    schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
)

body = json.load(sys.stdin)
errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
if errors:
    print("\n".join(errors))
    sys.exit(1)
if not isinstance(body, list) or not body:
    print("not a non-empty list of spans")
    sys.exit(1)

# Negative control: upper-case hex ID, a zero duration, an unknown kind, a bad IP.
broken = copy.deepcopy(body)
broken[0]["id"] = "ABCDEF0123456789X"
broken[0]["duration"] = 0
broken[0]["kind"] = "INTERNAL"
broken[0]["localEndpoint"]["ipv4"] = "300.1.1.1"
if len(list(validator.iter_errors(broken))) < 4:
    print("the validator accepted a broken document")
    sys.exit(1)
print(f"valid {len(body)}")
