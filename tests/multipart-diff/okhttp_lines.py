#!/usr/bin/env python3
"""Rewrites gen.py's forms (JSON lines on stdin) as tab-separated base64 lines for EncodeOkHttp."""
import base64
import json
import sys


def b64(s):
    return base64.b64encode(s.encode("utf-8", "surrogatepass")).decode()


for line in sys.stdin:
    form = json.loads(line)
    cols = [form["id"]]
    for p in form["parts"]:
        if p["kind"] == "field":
            cols += ["F", b64(p["name"]), b64(p["value"]), "", b64(p["type"]) if p["type"] else ""]
        else:
            cols += ["B", b64(p["name"]), b64(p["filename"]), p["contentBase64"],
                     b64(p["type"]) if p["type"] else ""]
    print("\t".join(cols))
