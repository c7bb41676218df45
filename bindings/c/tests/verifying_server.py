#!/usr/bin/env python3
"""A tiny HTTP server that verifies every request with the project's verifier, through the C
library (ctypes), for the libcurl example's test.

    verifying_server.py <libnuvera_signing.so> <registry file> <port file> <log file>

Listens on 127.0.0.1 on a free port (written to <port file> once listening). For each request it
computes the received body's hash (multipart through the canonical object) and runs
`nuvera_verifier_verify` with the method, the raw request target and the two headers: 200 with
`{"ok":true,...}` when accepted, else the verifier's HTTP status and `{"errors":[...]}`. Each
request appends one line to <log file>: `<status> <method> <target> <code or application>`.
"""
import ctypes
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Error(ctypes.Structure):
    _fields_ = [
        ("status", ctypes.c_int),
        ("code", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("http_status", ctypes.c_uint16),
    ]


ErrPtr = ctypes.POINTER(Error)


def load(path):
    lib = ctypes.CDLL(path)
    p = ctypes.c_void_p
    lib.nuvera_verifier_from_registry_file.argtypes = [ctypes.c_char_p, ctypes.POINTER(p), ctypes.POINTER(ErrPtr)]
    lib.nuvera_received_body_hash.argtypes = [
        ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(p), ctypes.POINTER(ErrPtr)]
    lib.nuvera_verifier_verify.argtypes = [p] + [ctypes.c_char_p] * 5 + [ctypes.POINTER(p), ctypes.POINTER(ErrPtr)]
    lib.nuvera_string_free.argtypes = [p]
    lib.nuvera_error_free.argtypes = [ErrPtr]
    for f in ("nuvera_verifier_from_registry_file", "nuvera_received_body_hash", "nuvera_verifier_verify"):
        getattr(lib, f).restype = ctypes.c_int
    return lib


def take_string(lib, ptr):
    value = ctypes.string_at(ptr.value).decode()
    lib.nuvera_string_free(ptr)
    return value


def take_error(lib, err):
    e = err.contents
    out = (e.http_status or 500, e.code.decode(), e.message.decode())
    lib.nuvera_error_free(err)
    return out


def enc(s):
    return None if s is None else s.encode("utf-8", "surrogateescape")


def main():
    lib_path, registry, port_file, log_file = sys.argv[1:5]
    lib = load(lib_path)
    verifier = ctypes.c_void_p()
    err = ErrPtr()
    if lib.nuvera_verifier_from_registry_file(registry.encode(), ctypes.byref(verifier), ctypes.byref(err)) != 0:
        sys.exit("verifying_server: registry: %s: %s" % take_error(lib, err)[1:])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            err = ErrPtr()
            hash_out = ctypes.c_void_p()
            status, reply, note = 500, None, None
            if lib.nuvera_received_body_hash(enc(self.headers.get("Content-Type")), body, len(body),
                                             ctypes.byref(hash_out), ctypes.byref(err)) != 0:
                status, code, message = take_error(lib, err)
                status = 400
            else:
                body_hash = take_string(lib, hash_out)
                app = ctypes.c_void_p()
                rc = lib.nuvera_verifier_verify(
                    verifier, enc(self.command), enc(self.path), enc(self.headers.get("x-api-key")),
                    enc(self.headers.get("Authorization")), body_hash.encode(), ctypes.byref(app),
                    ctypes.byref(err))
                if rc == 0:
                    status, note = 200, take_string(lib, app)
                    reply = {"ok": True, "application": note, "bodyHash": body_hash, "bytes": len(body)}
                else:
                    status, code, message = take_error(lib, err)
            if reply is None:
                note = code
                reply = {"errors": [{"code": code, "message": message}]}
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            with open(log_file, "a", encoding="utf-8") as log:
                log.write("%d %s %s %s\n" % (status, self.command, self.path, note))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_any

        def log_message(self, fmt, *args):
            sys.stderr.write("verifying_server: " + fmt % args + "\n")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
