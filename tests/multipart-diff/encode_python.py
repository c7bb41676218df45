#!/usr/bin/env python3
"""Encodes each form of gen.py with requests, urllib3 and httpx, and with curl -F/--form-string
captured on a loopback server. Reads forms (JSON lines) on stdin; writes bodies as JSON lines
{"id": "<form>/<encoder>", "contentType", "bodyBase64"}. A form an encoder refuses (raises, or
curl exits non-zero) is left out for that encoder and counted on stderr."""
import base64
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter

import httpx
import requests
import urllib3
from urllib3.fields import RequestField

URL = "http://127.0.0.1/upload"


def content_of(part):
    return base64.b64decode(part["contentBase64"])


def with_requests(form):
    files = []
    for p in form["parts"]:
        if p["kind"] == "field":
            files.append((p["name"], (None, p["value"], p["type"]) if p["type"] else (None, p["value"])))
        else:
            files.append((p["name"], (p["filename"], content_of(p), p["type"]) if p["type"]
                          else (p["filename"], content_of(p))))
    prepared = requests.Request("POST", URL, files=files).prepare() if files else None
    if prepared is None:
        return None
    return prepared.headers["Content-Type"], prepared.body


def with_urllib3(form):
    fields = []
    for p in form["parts"]:
        if p["kind"] == "field":
            rf = RequestField(name=p["name"], data=p["value"])
            rf.make_multipart(content_type=p["type"])
        else:
            rf = RequestField(name=p["name"], data=content_of(p), filename=p["filename"])
            rf.make_multipart(content_type=p["type"] or "application/octet-stream")
        fields.append(rf)
    body, content_type = urllib3.encode_multipart_formdata(fields)
    return content_type, body


def with_httpx(form):
    files = []
    for p in form["parts"]:
        if p["kind"] == "field":
            # httpx's file tuple with no file name is a text part (its `data` would be urlencoded
            # for a form without files).
            entry = (None, p["value"], p["type"]) if p["type"] else (None, p["value"])
        else:
            entry = (p["filename"], content_of(p), p["type"]) if p["type"] else (p["filename"], content_of(p))
        files.append((p["name"], entry))
    if not files:
        return None
    request = httpx.Request("POST", URL, files=files)
    return request.headers["content-type"], request.read()


class Capture(http.server.BaseHTTPRequestHandler):
    captured = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        Capture.captured.append((self.headers.get("Content-Type"), self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def curl_quote(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def with_curl(form, port, scratch):
    try:
        return curl_once(form, port, scratch, types=True)
    except RuntimeError:
        # curl refuses some media types itself ("foo"); send the same form without them.
        return curl_once(form, port, scratch, types=False)


def curl_once(form, port, scratch, types):
    args = ["curl", "-sS", "--fail", "-o", "/dev/null", "-H", "Expect:"]
    for i, p in enumerate(form["parts"]):
        name = p["name"].replace("\x00", "")
        if p["kind"] == "field":
            spec = f"{name}={p['value']}".replace("\x00", "")
            if p["type"] and types:
                # A typed text part: -F with the value read from a file, so the text is literal.
                path = os.path.join(scratch, f"v{i}")
                with open(path, "wb") as f:
                    f.write(p["value"].encode())
                args += ["-F", f"{name}=<{path};type={p['type']}"]
            else:
                args += ["--form-string", spec]
        else:
            path = os.path.join(scratch, f"f{i}")
            with open(path, "wb") as f:
                f.write(content_of(p))
            spec = f"{name}=@{path};filename={curl_quote(p['filename'])}"
            if p["type"] and types:
                spec += f";type={p['type']}"
            args += ["-F", spec.replace("\x00", "")]
    if len(args) == 7:
        return None
    Capture.captured.clear()
    done = subprocess.run(args + [f"http://127.0.0.1:{port}/upload"], capture_output=True)
    if done.returncode != 0 or len(Capture.captured) != 1:
        raise RuntimeError(done.stderr.decode(errors="replace"))
    content_type, body = Capture.captured[0]
    return content_type, body


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    skipped = Counter()
    with tempfile.TemporaryDirectory() as scratch:
        for line in sys.stdin:
            form = json.loads(line)
            for encoder, encode in [("requests", with_requests), ("urllib3", with_urllib3),
                                    ("httpx", with_httpx),
                                    ("curl", lambda f: with_curl(f, port, scratch))]:
                try:
                    encoded = encode(form)
                except Exception:
                    skipped[encoder] += 1
                    continue
                if encoded is None:
                    continue
                content_type, body = encoded
                print(json.dumps({"id": f"{form['id']}/{encoder}", "contentType": content_type,
                                  "bodyBase64": base64.b64encode(body).decode()}))
    server.shutdown()
    if skipped:
        print(f"encoders refused: {dict(skipped)}", file=sys.stderr)


if __name__ == "__main__":
    main()
