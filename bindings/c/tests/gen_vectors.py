#!/usr/bin/env python3
"""Turns testdata/vectors/signing-vectors.json into a C header for the C test.

    gen_vectors.py <signing-vectors.json> <out.h>

Every value comes from the vectors file: nothing here computes an expected result. Strings and
byte strings become C literals with every non-printable, non-ASCII, quote, backslash and `?`
byte written as a three-digit octal escape, so any byte (NUL and UTF-8 included) survives.
"""
import base64
import json
import sys


def lit(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\?':
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def blob(b64):
    data = base64.b64decode(b64)
    return "(const uint8_t *)%s, %d" % (lit(data), len(data))


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        v = json.load(f)
    out = [
        "/* Generated at test time by bindings/c/tests/gen_vectors.py from %s. */" % lit(src)[1:-1],
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "#define VECTOR_KEY %s" % lit(v["key"]),
        "",
        "typedef struct { const char *url; const char *uri; } uri_vector;",
        "static const uri_vector URI_VECTORS[] = {",
    ]
    for c in v["uri"]:
        out.append("  {%s, %s}," % (lit(c["url"]), lit(c["uri"])))
    out += ["};", "#define N_URI_VECTORS %d" % len(v["uri"]), ""]

    max_fields = max([len(c["fields"]) for c in v["multipart"]] + [1])
    max_files = max([len(c["files"]) for c in v["multipart"]] + [1])
    out += [
        "typedef struct { const char *name; const char *value; } mp_field;",
        "typedef struct { const char *field_name; const char *file_name; const char *mime_type;"
        " const uint8_t *bytes; size_t len; } mp_file;",
        "typedef struct {",
        "  const char *name; const char *content_type; const uint8_t *body; size_t body_len;",
        "  size_t n_fields; mp_field fields[%d]; size_t n_files; mp_file files[%d];" % (max_fields, max_files),
        "  const char *canonical; const char *body_hash;",
        "} multipart_vector;",
        "static const multipart_vector MULTIPART_VECTORS[] = {",
    ]
    for c in v["multipart"]:
        fields = ", ".join("{%s, %s}" % (lit(n), lit(x)) for n, x in c["fields"]) or "{0, 0}"
        files = ", ".join(
            "{%s, %s, %s, %s}" % (lit(fn), lit(name), lit(mime), blob(b)) for fn, name, mime, b in c["files"]
        ) or "{0, 0, 0, 0, 0}"
        out.append(
            "  {%s, %s, %s, %d, {%s}, %d, {%s}, %s, %s},"
            % (lit(c["name"]), lit(c["contentType"]), blob(c["bodyBase64"]), len(c["fields"]), fields,
               len(c["files"]), files, lit(c["canonical"]), lit(c["bodyHash"]))
        )
    out += ["};", "#define N_MULTIPART_VECTORS %d" % len(v["multipart"]), ""]

    out += [
        "typedef struct {",
        "  const char *name; const char *api_key; const char *method; const char *url;",
        "  const uint8_t *body; size_t body_len; uint64_t iat; const char *jti; uint32_t lifetime;",
        "  const char *uri; const char *body_hash; const char *payload; const char *token;",
        "} jwt_vector;",
        "static const jwt_vector JWT_VECTORS[] = {",
    ]
    for c in v["jwt"]:
        out.append(
            "  {%s, %s, %s, %s, %s, UINT64_C(%d), %s, %d, %s, %s, %s, %s},"
            % (lit(c["name"]), lit(c["apiKey"]), lit(c["method"]), lit(c["url"]), blob(c["bodyBase64"]),
               c["iat"], lit(c["jti"]), c["lifetime"], lit(c["uri"]), lit(c["bodyHash"]),
               lit(c["payload"]), lit(c["token"]))
        )
    out += ["};", "#define N_JWT_VECTORS %d" % len(v["jwt"]), ""]
    with open(dst, "w", encoding="ascii") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
