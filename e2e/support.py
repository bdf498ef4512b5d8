"""Helpers shared by the end-to-end suites: start the real service, talk HTTP, report results."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(service, *arguments, stdin=None):
    """Runs `abusedesk ...` on the service's store and answers the JSON it prints. Standard output must
    be that JSON alone (the command logs to standard error), as a script piping it would need."""
    done = subprocess.run([service.binary, *arguments], env=service.env, input=stdin, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"abusedesk {' '.join(arguments)} failed: {done.stderr}")
    return json.loads(done.stdout)


class Service:
    """One `abusedesk serve` process on a port of its own."""

    def __init__(self, binary, data_dir=None, env=None, log_name="serve"):
        self.binary = binary
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="abusedesk-e2e-")
        self.env = dict(os.environ, ABUSEDESK_DATA_DIR=self.data_dir, ABUSEDESK_RATE_LIMIT="off")
        self.env.update(env or {})
        self.port = free_port()
        self.process = None
        self.log_path = os.path.join(self.data_dir, f"{log_name}.log")

    def start(self, timeout=60, arguments=()):
        self.launch(arguments)
        return self.wait_ready(timeout)

    def launch(self, arguments=()):
        """Starts the process without waiting for it to be ready."""
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([self.binary, "serve", "--port", str(self.port), *arguments], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with {self.process.returncode}; see {self.log_path}")
            try:
                status, _, _ = self.request("GET", "/readyz", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the service did not become ready; see {self.log_path}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=10):
        return http_request(self.port, method, path, body, headers, timeout)


def http_request(port, method, path, body=None, headers=None, timeout=10):
    """One request to 127.0.0.1:port; a dict or list body is sent as JSON. Answers status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        hdrs = {"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}
        hdrs.update(headers or {})
        connection.request(method, path, body=payload, headers=hdrs)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def report(n=0, **changes):
    """A valid Report Abuse API v2.0 report, distinct for each n."""
    body = {
        "reporterName": "E2E Reporter",
        "reporterEmail": "e2e@example.org",
        "threatType": "IP Address",
        "incidentType": "Network Scanning",
        "attackMethod": "Port Scan",
        "date": "2026-01-15",
        "time": "09:30:00",
        "timeZone": "+0000",
        "reportNotes": f"Port scan number {n}",
        "sourceIp": f"203.0.113.{n % 250 + 1}",
    }
    body.update(changes)
    return body


class Results:
    """Counts checks and prints one line per check, then `RESULT passed=N failed=M`."""

    def __init__(self, suite):
        self.suite = suite
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS {self.suite}: {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {self.suite}: {name} {detail}", flush=True)
        return condition

    def finish(self):
        print(f"RESULT passed={self.passed} failed={self.failed}", flush=True)
        sys.exit(1 if self.failed else 0)


def stored_report_ids(data_dir):
    """Every report id in the store the service used (SQLite file, or DATABASE_URL through psql)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        out = subprocess.run(["psql", url, "-Atc", "select id from reports"], check=True, capture_output=True, text=True).stdout
        return set(out.split())
    import sqlite3
    connection = sqlite3.connect(os.path.join(data_dir, "abusedesk.sqlite"))
    try:
        return {row[0] for row in connection.execute("select id from reports")}
    finally:
        connection.close()
