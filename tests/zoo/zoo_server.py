#!/usr/bin/env python3
"""A loopback HTTP server for the model zoo tests: Range and If-Range like a release host, and the ways hosts
fail. Serves the files of one folder; the path's first part picks the behaviour:

  /files/NAME          200 with Content-Length, ETag and Last-Modified; 206 for a Range whose If-Range matches
  /drop/NAME           like /files, but the first response without a Range stops half way (connection closed)
  /norange/NAME        never honours Range (always the whole file, 200); the first response stops half way
  /slow/NAME           like /files, 64 KiB at a time with a pause (concurrent fetches overlap)
  /stall/NAME          headers and a few bytes, then nothing
  /nolength/NAME       the body without Content-Length (HTTP/1.0, closed at the end)
  /status/CODE/NAME    that status, always
  /redirect/N/P...     302 to /redirect/N-1/P..., and at 0 to /P...

Every request is appended to the log file as a JSON line {"path", "range", "if_range", "proxied"}; a request for
an absolute URL (what a client sends to an HTTP proxy) is served by its path and logged as proxied.
Usage: zoo_server.py FOLDER LOGFILE PORTFILE  (writes the port it listens on to PORTFILE)
"""
import email.utils
import http.server
import json
import os
import socketserver
import sys
import threading
import time

folder, log_path, port_path = sys.argv[1:4]
lock = threading.Lock()
first_seen = set()


def log(entry):
    with lock:
        with open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        # A proxy is asked for the absolute URL: serve its path, and say it came through the proxy door.
        proxied = self.path.startswith("http://")
        path = "/" + self.path.split("/", 3)[3] if proxied else self.path
        log({"path": path, "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"),
             "proxied": proxied})
        parts = path.lstrip("/").split("/")
        mode = parts[0]
        if mode == "redirect":
            n = int(parts[1])
            target = "/redirect/%d/%s" % (n - 1, "/".join(parts[2:])) if n > 0 else "/" + "/".join(parts[2:])
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "status":
            code = int(parts[1])
            body = b"no"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        name = "/".join(parts[1:])
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(path, "rb").read()
        etag = '"%x-%x"' % (len(data), int(os.path.getmtime(path)))
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        first = (mode, name) not in first_seen
        first_seen.add((mode, name))
        if mode == "nolength":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and mode != "norange" and (self.headers.get("If-Range") in (None, etag, modified)):
            start = int(wanted.split("=")[1].split("-")[0])
        if start:
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Accept-Ranges", "none" if mode == "norange" else "bytes")
        self.end_headers()
        body = data[start:]
        if mode in ("drop", "norange") and first and not start:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "stall":
            self.wfile.write(body[:1000])
            self.wfile.flush()
            time.sleep(120)
            return
        if mode == "slow":
            for i in range(0, len(body), 65536):
                self.wfile.write(body[i : i + 65536])
                self.wfile.flush()
                time.sleep(0.02)
            return
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a stalled or dropped response is what these tests do


server = Server(("127.0.0.1", 0), Handler)
with open(port_path + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
