#!/usr/bin/env python3
"""What anonymous uploads cost `nuvera-sign serve` (a measurement, not a test).

    target/debug/nuvera-sign serve --listen 127.0.0.1:0 &   # or any running serve
    python3 bench/anonymous-bodies.py HOST:PORT SERVE_PID [CLIENTS=4] [MIB=60]

CLIENTS connections at once each declare and send a MIB-MiB body without credentials (JSON and
multipart alternately), reading the answer while they send. Printed: each client's status line and
how much it could send before the server closed, the wall time, and the server's peak RSS (VmHWM)
before and after. cli/tests/server.rs asserts the bound (peak RSS grows under 4 MiB); this prints
the figure.
"""
import socket
import sys
import threading
import time

host, port = sys.argv[1].split(":")
pid = sys.argv[2]
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 4
size = (int(sys.argv[4]) if len(sys.argv) > 4 else 60) * 1024 * 1024


def peak_rss_kib():
    with open(f"/proc/{pid}/status") as status:
        return int(next(l for l in status if l.startswith("VmHWM")).split()[1])


def client(i, results):
    s = socket.create_connection((host, int(port)))
    content_type = "application/json" if i % 2 == 0 else "multipart/form-data; boundary=b"
    s.sendall(f"POST /api/v1/customers HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
              f"Content-Length: {size}\r\n\r\n".encode())
    answer = []

    def read():
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        answer.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    chunk, sent = b"{" * 65536, 0
    try:
        while sent < size:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    reader.join()
    results[i] = (answer[0].split(b"\r\n", 1)[0].decode(errors="replace"), sent)


before = peak_rss_kib()
results = [None] * clients
started = time.time()
threads = [threading.Thread(target=client, args=(i, results)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - started
for i, (status, sent) in enumerate(results):
    print(f"client {i}: {status!r}, sent {sent} bytes before the server closed")
print(f"{clients} clients x {size >> 20} MiB in {elapsed:.2f} s; "
      f"serve peak RSS {before / 1024:.1f} -> {peak_rss_kib() / 1024:.1f} MiB")
