#!/usr/bin/env python3
"""A local HTTP sink for benchmarks: answers 200 (JSON {}) to every POST and counts them."""
import sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
count = 0; lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock: count += 1
        body = b'{"status":"success","sid":"SM1"}'
        self.send_response(202 if "pagerduty" in self.path else 200)
        self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
def report():
    while True:
        time.sleep(1)
        with lock: n = count
        open(sys.argv[2], "w").write(f"{n}\n")
if len(sys.argv) > 2: threading.Thread(target=report, daemon=True).start()
try: s.serve_forever()
except KeyboardInterrupt: print(f"sink received {count} requests", flush=True)
