#!/usr/bin/env python3
"""Seeded generator of random forms for the multipart differential test.

Writes one form per line as JSON: {"id", "parts": [...]}; a part is
{"kind": "field", "name", "value", "type"} or
{"kind": "file", "name", "filename", "contentBase64", "type"} ("type" may be null).
Strings are any Unicode scalar values, biased towards what breaks encoders and readers:
non-ASCII (also beyond U+FFFF), quotes, backslashes, slashes, semicolons, '=', CR/LF, empty
values, '.'/'..', names ending in a backslash, %22-style escapes.
"""
import argparse
import base64
import json
import random

ATOMS = [
    "a", "b", "z", "Name", "x1", "_", "-", " ", "\t", '"', "\\", "/", ";", "=", ",", ":", "%22",
    "%0D", "\r", "\n", "\r\n", "é", "ü", "☃", "中文", "😀", "𝄞", "\ue000", "\ufffd", "'", "*",
    "filename", "name=", ".", "..", "--", "€",
]
FILE_TYPES = [
    None, None, "application/pdf", "text/plain", "text/plain; charset=utf-8",
    "application/octet-stream", "image/PNG", "Application/JSON; charset=UTF-8",
    "foo", "application/json;", "a/b/c", "text / plain", "text/csv; header=present",
]
FIELD_TYPES = [None] * 8 + ["text/plain; charset=utf-8", "text/plain; charset=iso-8859-1", "foo",
                            "application/json", "text/plain;"]


def text(rng, max_atoms, min_atoms=0):
    return "".join(rng.choice(ATOMS) for _ in range(rng.randint(min_atoms, max_atoms)))


def name(rng, used):
    if used and rng.random() < 0.2:
        return rng.choice(used)  # repeated names
    roll = rng.random()
    if roll < 0.02:
        return ""  # the server refuses a part without a name
    if roll < 0.4:
        return rng.choice(["a", "b", "tag", "file", "customerId", "é", "😀", "\ue000"])
    if roll < 0.45:
        return text(rng, 3) + "\\"  # ends in a backslash
    return text(rng, 5, 1)


def file_name(rng):
    roll = rng.random()
    if roll < 0.1:
        return ""
    if roll < 0.15:
        return rng.choice([".", "..", "dir/", "a/.", "C:\\x\\.."])
    stem = text(rng, 4) or "f"
    if rng.random() < 0.3:
        stem = rng.choice(["dir/", "a/b/", "C:\\Users\\me\\", "..\\", "./"]) + stem
    return stem + rng.choice(["", ".txt", ".pdf", ".tar.gz", " (1).png"])


def content(rng):
    roll = rng.random()
    if roll < 0.15:
        return b""
    pieces = [b"\r\n", b"--", b"\r\n--", b"-", b"\r", b"\n", b"%PDF-1.4", "é".encode(), b"\x00",
              b"\xff\xfe", b"------formdata-undici-0", b"--boundary"]
    out = bytearray()
    for _ in range(rng.randint(1, 24)):
        if rng.random() < 0.5:
            out += rng.choice(pieces)
        else:
            out += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 16)))
    return bytes(out)


def form(rng, index):
    parts = []
    used = []
    for _ in range(rng.randint(0, 6)):
        n = name(rng, used)
        used.append(n)
        if rng.random() < 0.55:
            parts.append({"kind": "field", "name": n,
                          "value": "" if rng.random() < 0.15 else text(rng, 8),
                          "type": rng.choice(FIELD_TYPES)})
        else:
            parts.append({"kind": "file", "name": n, "filename": file_name(rng),
                          "contentBase64": base64.b64encode(content(rng)).decode(),
                          "type": rng.choice(FILE_TYPES)})
    return {"id": f"form{index}", "parts": parts}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--forms", type=int, required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for i in range(args.forms):
        print(json.dumps(form(rng, i), ensure_ascii=True))


if __name__ == "__main__":
    main()
