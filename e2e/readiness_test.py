"""Readiness follows the store: with PostgreSQL stopped, /readyz answers 503 while /healthz stays 200,
and both are 200 again once it is back.

    python3 e2e/readiness_test.py .build/debug/abusedesk "<command that stops the database>" "<command that starts it>"
"""
import subprocess
import sys
import time

from support import Results, Service


def wait_for(service, path, status, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last, _, _ = service.request("GET", path, timeout=5)
        except OSError:
            last = None
        if last == status:
            return True
        time.sleep(0.5)
    return False


def main():
    results = Results("readiness")
    service = Service(sys.argv[1]).start()
    results.check("ready while the store answers", wait_for(service, "/readyz", 200))
    subprocess.run(["bash", "-c", sys.argv[2]], check=True)
    results.check("not ready while the store is down", wait_for(service, "/readyz", 503))
    results.check("alive while the store is down", wait_for(service, "/healthz", 200, timeout=5))
    late = Service(sys.argv[1])
    try:
        late.start(timeout=60)
        started = True
    except RuntimeError:
        started = False
    log = open(late.log_path, encoding="utf-8", errors="replace").read()
    results.check("a service started while the store is down exits with status 1 and says why, without a crash report",
                  not started and late.process.returncode == 1 and "AbuseDesk stopped:" in log and "Backtrac" not in log, log[-600:])
    subprocess.run(["bash", "-c", sys.argv[3]], check=True)
    results.check("ready again once the store is back", wait_for(service, "/readyz", 200, timeout=60))
    service.stop()
    results.finish()


if __name__ == "__main__":
    main()
