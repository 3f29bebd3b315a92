#!/usr/bin/env python3
"""A tee for OTLP/HTTP: every POST is sent on to each upstream in turn; the answer is the first
upstream's, unless another refused (then that refusal, so the sender retries; a re-sent span is
stored once). Used to feed one run to an unsampled and a sampled collector at once
(Benchmarks/tail-sampling.sh).

usage: otlp-tee.py PORT UPSTREAM_URL [UPSTREAM_URL ...]   (prints "listening" once bound)
"""
import http.server
import signal
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1])
UPSTREAMS = [u.rstrip("/") for u in sys.argv[2:]]
FORWARDED = ("Content-Type", "Content-Encoding", "Authorization")


class Tee(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k: self.headers[k] for k in FORWARDED if self.headers.get(k)}
        answer = None
        for upstream in UPSTREAMS:
            request = urllib.request.Request(upstream + self.path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    got = (r.status, r.read(), r.headers.get("Content-Type", ""), r.headers.get("Retry-After"))
            except urllib.error.HTTPError as e:
                got = (e.code, e.read(), e.headers.get("Content-Type", ""), e.headers.get("Retry-After"))
            except OSError as e:
                got = (503, str(e).encode(), "text/plain", "1")
            if answer is None or (got[0] >= 300 and answer[0] < 300):
                answer = got
        status, payload, content_type, retry_after = answer
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if retry_after:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


# A parent may start us with SIGTERM blocked (a spawning thread's mask is inherited): unblock it
# and exit on it, so "stop" stops us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Tee)
print("listening", flush=True)
server.serve_forever()
