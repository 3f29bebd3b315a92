#!/usr/bin/env python3
"""Time to first paint of the dashboard's flow page in headless Chromium (issue 17).

Opens URL (e.g. http://127.0.0.1:PORT/#/flow/ID) in headless Chromium with a DevTools port and
polls, over the DevTools protocol (Runtime.evaluate on a hand-rolled WebSocket, as the Swift
browser test does: --virtual-time-budget would freeze the page's clock), until the flow page
says it is loaded. Prints one JSON line: paint_ms (navigation start to the second animation
frame after the flow page entered the DOM, i.e. its first paint), render_ms (the route's start
to the DOM), the step count the page shows, and how many step rows and arrows are in the DOM.

    Benchmarks/large-flow-paint.py URL [--chromium /usr/bin/chromium] [--timeout 120]
"""
import argparse, base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
        return answer.read()


class Page:
    def __init__(self, port, path):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"no WebSocket: {head[:200]!r}")
        self.next_id = 1

    def send(self, text):
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536
                                  else bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            data += chunk
        return data

    def receive(self):
        message = b""
        while True:
            b0, b1 = self.exactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self.exactly(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self.exactly(8))[0]
            message += self.exactly(n)
            if b0 & 0x80:
                return message.decode()

    def evaluate(self, expression):
        id = self.next_id
        self.next_id += 1
        self.send(json.dumps({"id": id, "method": "Runtime.evaluate",
                              "params": {"expression": expression, "returnByValue": True, "awaitPromise": True}}))
        while True:
            answer = json.loads(self.receive())
            if answer.get("id") == id:
                return answer.get("result", {}).get("result", {}).get("value")


PROBE = """(() => { const v = document.getElementById('view');
  if (!v || v.dataset.loaded !== 'true' || !v.dataset.paintMs) return null;
  return { paint_ms: Number(v.dataset.paintAt), render_ms: Number(v.dataset.renderMs), steps: Number(v.dataset.stepCount),
    rows_in_dom: document.querySelectorAll('table.steps tr.step').length,
    arrows_in_dom: document.querySelectorAll('svg.sequence g.arrow').length,
    collapsed_rows: document.querySelectorAll('table.steps tr.collapsed').length,
    trace_links: document.querySelectorAll('.flow-summary a.mono').length }; })()"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    port = free_port()
    profile = tempfile.mkdtemp(prefix="cdp-")
    browser = subprocess.Popen(
        [args.chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
         "--disable-dev-shm-usage", "--window-size=1400,900", f"--remote-debugging-port={port}", "--remote-allow-origins=*",
         f"--user-data-dir={profile}", args.url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        page = None
        while page is None and time.monotonic() < deadline:
            try:
                targets = json.loads(http_get(port, "/json/list"))
                target = next(t for t in targets if t.get("type") == "page" and "webSocketDebuggerUrl" in t)
                ws = target["webSocketDebuggerUrl"]
                page = Page(port, ws[ws.index("/devtools/"):])
            except (OSError, StopIteration, ValueError, IndexError, RuntimeError):
                time.sleep(0.1)
        if page is None:
            sys.exit("Chromium's DevTools endpoint did not come up")
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            state = page.evaluate(PROBE)
            if state:
                print(json.dumps(state))
                return
            time.sleep(0.05)
        sys.exit(f"the flow page did not finish loading in {args.timeout} s")
    finally:
        browser.terminate()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
