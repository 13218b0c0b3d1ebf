#!/usr/bin/env python3
"""Print markdown tables of benchmark ratios from criterion's saved estimates.

Reads every `<criterion dir>/**/new/estimates.json` (with the `benchmark.json` beside it for the
group and function names) and compares mean point estimates within each group:

* upstream / ours, for each variant `V` that has both `ours/V` and `upstream/V` (or plain `ours`
  and `upstream`): a ratio above 1 means ours is faster by that factor;
* other implementations (e.g. `fastrace/...`) / ours, against the group's first `ours` entry.

Usage: python3 benches/ratios.py [CRITERION_DIR]   (default: target/criterion at the workspace
root). Only the Python standard library is used.
"""

import json
import sys
from pathlib import Path

OURS = "ours"
UPSTREAM = "upstream"


def load(criterion_dir):
    """{group: {function_id: mean point estimate (ns)}} for every saved benchmark."""
    groups = {}
    for est_path in sorted(criterion_dir.glob("**/new/estimates.json")):
        meta_path = est_path.with_name("benchmark.json")
        try:
            meta = json.loads(meta_path.read_text())
            group, function = meta["group_id"], meta["function_id"]
        except (OSError, KeyError, ValueError):
            # No metadata: fall back to the directory layout <group>/<function>/new/.
            group, function = est_path.parent.parent.parent.name, est_path.parent.parent.name
        if function is None:
            continue
        estimates = json.loads(est_path.read_text())
        groups.setdefault(group, {})[function] = estimates["mean"]["point_estimate"]
    return groups


def split(function_id):
    """'ours/tracer_in_hand' -> ('ours', 'tracer_in_hand'); 'ours' -> ('ours', '')."""
    impl, _, variant = function_id.partition("/")
    return impl, variant


def fmt(ratio):
    return f"{ratio:.2f}x"


def main(argv):
    root = Path(__file__).resolve().parent.parent
    criterion_dir = Path(argv[1]) if len(argv) > 1 else root / "target" / "criterion"
    groups = load(criterion_dir)
    if not groups:
        print(f"no criterion estimates under {criterion_dir}", file=sys.stderr)
        return 1

    print("| group | variant | upstream / ours |")
    print("| --- | --- | ---: |")
    others = []
    for group in sorted(groups):
        fns = groups[group]
        ours = {split(f)[1]: t for f, t in fns.items() if split(f)[0] == OURS}
        ups = {split(f)[1]: t for f, t in fns.items() if split(f)[0] == UPSTREAM}
        for variant in sorted(ours):
            if variant in ups:
                print(f"| {group} | {variant or '-'} | {fmt(ups[variant] / ours[variant])} |")
        if ours:
            base_variant = sorted(ours)[0] if "tracer_in_hand" not in ours else "tracer_in_hand"
            for f, t in sorted(fns.items()):
                if split(f)[0] not in (OURS, UPSTREAM):
                    others.append((group, f, base_variant, t / ours[base_variant]))

    if others:
        print()
        print("| group | other | vs ours | other / ours |")
        print("| --- | --- | --- | ---: |")
        for group, f, base, ratio in others:
            base_name = f"{OURS}/{base}" if base else OURS
            print(f"| {group} | {f} | {base_name} | {fmt(ratio)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
