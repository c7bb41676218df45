#!/usr/bin/env python3
"""Compares busboy's and the core's readings of the same bodies.

Usage: compare.py BODIES BUSBOY CORE. Agreement: the same canonical JSON and bodyHash, or both
refuse. Each disagreement is printed with the body in base64 (and its Content-Type) so that it
can be replayed. Exit status 1 on any disagreement; the last line is 'N passed, M failed'."""
import json
import sys
from collections import Counter


def load(path):
    with open(path, encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, filter(str.strip, f))}


def main():
    bodies, busboy, core = (load(p) for p in sys.argv[1:4])
    passed = failed = 0
    per_encoder = Counter()
    both_refused = 0
    for id, body in bodies.items():
        b, c = busboy.get(id), core.get(id)
        per_encoder[id.split("/")[-1]] += 1
        agree = False
        if b is not None and c is not None and not c.get("streamingMismatch"):
            if "refused" in b and "refused" in c:
                agree = True
                both_refused += 1
            elif "canonical" in b and "canonical" in c:
                agree = b["canonical"] == c["canonical"] and b["bodyHash"] == c["bodyHash"]
        if agree:
            passed += 1
            continue
        failed += 1
        print(f"DISAGREE {id}")
        print(f"  content-type: {body['contentType']}")
        print(f"  body (base64): {body['bodyBase64']}")
        print(f"  busboy: {json.dumps(b, ensure_ascii=False)}")
        print(f"  core:   {json.dumps(c, ensure_ascii=False)}")
    print(f"bodies per encoder: {dict(sorted(per_encoder.items()))}; refused by both: {both_refused}")
    print(f"multipart-diff: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
