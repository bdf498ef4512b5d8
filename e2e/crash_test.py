"""Durability: while a load of valid reports runs, the service is killed with SIGKILL. After a
restart, every report that was answered with success must be in the store.

    python3 e2e/crash_test.py .build/debug/abusedesk
"""
import json
import sys
import threading
import time

from support import Results, Service, report, stored_report_ids

WORKERS = 16


def main():
    results = Results("crash")
    service = Service(sys.argv[1]).start()
    answered = []
    lock = threading.Lock()
    stop = threading.Event()

    def worker(number):
        connection = service.connection(timeout=5)
        n = number
        while not stop.is_set():
            n += WORKERS
            try:
                connection.request("POST", "/report/v2.0/abuse", body=json.dumps(report(n)),
                                   headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    with lock:
                        answered.append(json.loads(body)["reportId"])
            except (OSError, ValueError):
                return  # the service is gone

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    service.kill()
    stop.set()
    for thread in threads:
        thread.join()

    with lock:
        ids = list(answered)
    results.check("reports were answered before the kill", len(ids) > 50, f"only {len(ids)}")

    service.start()
    stored = stored_report_ids(service.data_dir)
    missing = [i for i in ids if i not in stored]
    results.check(f"all {len(ids)} answered reports survived SIGKILL", not missing, f"{len(missing)} missing, e.g. {missing[:3]}")
    status, _, body = service.request("POST", "/report/v2.0/abuse", report(10_000))
    results.check("the restarted service files reports", status == 200, body[:200])
    service.stop()
    results.finish()


if __name__ == "__main__":
    main()
