"""More than one server (SPEC 10): three `abusedesk serve` processes, each with a data folder of its own, on
one PostgreSQL, behind nginx (round robin), sending through one SMTP server (aiosmtpd).

- A process started with --no-background sends nothing; `abusedesk deliver-mail` sends what it queued, once.
- An account created through one process routes a report filed on each of the others at once, and every
  process reports the same routing version within a second.
- A file uploaded through one process is downloaded through another.
- A burst of reports through nginx while one process is killed (SIGKILL): every answered report is stored,
  every receipt arrives, none twice but for at most the one the killed process was handing over.
- A whole case is worked through nginx in chromium, its requests landing on every process: sign in,
  accept, mitigate; the customer appeals through the Accounts API; the appeal is granted in the console.

    DATABASE_URL=postgres://... python3 e2e/fleet_test.py .build/debug/abusedesk [artifacts-folder]
"""
import asyncio
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from aiosmtpd.controller import Controller

import browser
from browser import by_id
from fleet import Balancer, fleet
from mail_test import Inbox
from support import Results, Service, cli, free_port, http_request, report

OPERATOR_PASSWORD = "an operator's password"


class SlowInbox(Inbox):
    """Takes 50 ms over each message, as a real mail server does: a process holds its claims for a while."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def psql(sql):
    out = subprocess.run(["psql", os.environ["DATABASE_URL"], "-Atc", sql], check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def metric(port, name):
    """The value of an unlabelled metric on one process's /metrics (0 when it is not there yet)."""
    _, _, raw = http_request(port, "GET", "/metrics")
    match = re.search(rf"^{name} ([0-9.e+]+)$", raw.decode(), re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def receipts_for(inbox, prefix):
    return [m for m in inbox.all() if any(address.startswith(prefix) for address in m["to"])]


def wait_for_receipts(inbox, prefix, count, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline and len(receipts_for(inbox, prefix)) < count:
        time.sleep(0.3)
    time.sleep(2)  # a duplicate would arrive now
    return receipts_for(inbox, prefix)


def answers_only(results, binary, env, inbox):
    """serve --no-background files and answers but sends nothing; deliver-mail, activate-due and expire do one pass."""
    check = results.check
    service = Service(binary, env=env, log_name="answers-only")
    service.start(arguments=["--no-background"])
    try:
        status, _, raw = service.request("POST", "/report/v2.0/abuse", report(1, reporterEmail="quiet@reporter.example"))
        check("a process that only answers files the report", status == 200, raw[:200])
        time.sleep(4)
        check("and sends no receipt itself", not receipts_for(inbox, "quiet@"))
        sent = cli(service, "deliver-mail")
        check("abusedesk deliver-mail sends it, once", sent == {"sent": 1} and len(wait_for_receipts(inbox, "quiet@", 1, 10)) == 1, str(sent))
        check("a second pass finds nothing to send", cli(service, "deliver-mail") == {"sent": 0})
        activated = cli(service, "activate-due")
        check("abusedesk activate-due answers how many it put in force", activated == {"activated": 0}, str(activated))
        expired = cli(service, "expire")
        check("abusedesk expire answers what it deleted", set(expired) == {"uploads", "idempotency_keys", "sessions"}, str(expired))
    finally:
        service.stop()


def routing(results, services, balancer, admin):
    check = results.check
    status, _, raw = http_request(balancer.port, "POST", "/admin/v1/accounts", {
        "name": "Fresh Hosting", "domains": ["fresh.example"], "netblocks": ["192.0.2.0/24"], "abuse_email": "abuse@fresh.example"},
        headers={"Authorization": f"Bearer {admin}"})
    check("an account is created through the balancer", status in (200, 201), raw[:300])
    account = json.loads(raw)["result"]["id"]
    filed = []
    for service in services:  # at once, on every process, whichever created the account
        status, _, raw = service.request("POST", "/report/v2.0/abuse", report(
            2, threatType="URL", incidentType="Social Engineering", attackMethod="Phishing Website", sourceIp=None,
            sourceUrl=f"https://login.fresh.example/{service.port}", reporterEmail=f"routing-{service.port}@reporter.example"))
        filed.append(json.loads(raw).get("reportId") if status == 200 else None)
    routed = psql(f"select account_id from reports where id in ({','.join(repr(i) for i in filed if i)})")
    check("a report filed right after, on each process, is routed to the new account", routed == [account] * len(services), str(routed))
    deadline = time.time() + 1
    versions = []
    while time.time() < deadline:
        versions = [metric(service.port, "abusedesk_routing_version") for service in services]
        if len(set(versions)) == 1:
            break
        time.sleep(0.05)
    check("every process shows the same routing version within a second", len(set(versions)) == 1 and versions[0] > 0, str(versions))


def uploads(results, services, operator):
    boundary = "fleet-boundary"
    png = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) + os.urandom(64)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"evidence.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()
    status, _, raw = services[0].request("POST", "/report/v2.0/file", body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    results.check("a file is uploaded through the first process", status == 200, raw[:200])
    upload = json.loads(raw)[0]["id"]
    status, _, downloaded = services[1].request("GET", f"/admin/v1/attachments/{upload}", headers={"Authorization": f"Bearer {operator}"})
    results.check("and downloaded through the second, byte for byte", status == 200 and downloaded == png, str(status))


def burst(results, services, balancer, inbox, count=400):
    """Reports through nginx from eight clients; the second process is killed once a third of them are
    answered, at a moment it holds claims on e-mails it is sending (so that the others must take them over)."""
    check = results.check
    answered, lock = [], threading.Lock()
    left = []  # the e-mails the killed process had claimed and not sent
    killed_at = []

    def file(n):
        try:
            status, _, raw = http_request(balancer.port, "POST", "/report/v2.0/abuse", report(n, reporterEmail=f"burst-{n}@reporter.example"), timeout=30)
        except OSError:
            return
        if status == 200:
            with lock:
                answered.append((n, json.loads(raw)["reportId"]))

    def killer():
        victim = services[1].process.pid
        while len(answered) < count // 3:
            time.sleep(0.01)
        deadline = time.time() + 10
        while time.time() < deadline and not psql(f"select 1 from outbox_messages where claimed_by like '%:{victim}:%' and sent_at is null limit 1"):
            time.sleep(0.02)
        services[1].kill()
        killed_at.append(len(answered))
        left.extend(psql(f"select id from outbox_messages where claimed_by like '%:{victim}:%' and sent_at is null"))

    kill = threading.Thread(target=killer)
    kill.start()
    # Filing goes on until `count` reports are sent and forty more after the kill, so the kill always falls
    # in the middle of the burst (at most four times as many reports).
    numbers = iter(range(4 * count))

    def client():
        for n in numbers:
            if n >= count and killed_at and len(answered) >= killed_at[0] + 40:
                return
            file(n)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for worker in [pool.submit(client) for _ in range(8)]:
            worker.result()
    kill.join()
    filed = len(answered)
    killed = bool(killed_at) and killed_at[0] < filed
    check("one process was killed in the middle of the burst", killed, f"killed after {killed_at} of {filed} answered")
    check("most reports were answered", len(answered) >= count * 0.8, f"{len(answered)} of {count}")
    stored = set(psql("select id from reports where reporter_email like 'burst-%'"))
    missing = [report_id for _, report_id in answered if report_id not in stored]
    check("every answered report is stored", not missing, str(missing[:5]))
    # The killed process's claims run out after the lease (5 s here); the others send them then.
    received = wait_for_receipts(inbox, "burst-", len(answered), timeout=90)
    ids = [m["message"]["Message-ID"] for m in received]
    duplicates = len(ids) - len(set(ids))
    wanted = {f"burst-{n}@reporter.example" for n, _ in answered}
    got = {m["to"][0] for m in received}
    check("every answered report's receipt arrives", wanted <= got, f"{len(wanted - got)} missing of {len(wanted)}")
    check("none arrives twice, but for the one the killed process may have been handing over", duplicates <= 1, f"{duplicates} duplicates")
    takeovers = sum(metric(service.port, "abusedesk_outbox_lease_takeovers_total") for service in (services[0], services[2]))
    check("the e-mails the killed process had claimed were taken over by the others and sent",
          takeovers >= len(left) and all(psql(f"select sent_at is not null from outbox_messages where id = '{i}'") == ["t"] for i in left),
          f"{len(left)} left, {int(takeovers)} taken over")
    print(f"FLEET answered={len(answered)} stored={len(stored)} receipts={len(received)} distinct={len(set(ids))} "
          f"duplicates={duplicates} claimed_by_the_killed_process={len(left)} takeovers={int(takeovers)}", flush=True)


def served_console_pages(service):
    with open(service.log_path, errors="replace") as log:
        return sum(1 for line in log if "/console/" in line and ("GET" in line or "POST" in line))


def whole_case(results, services, balancer, account, token, artifacts):
    check = results.check
    base = f"http://127.0.0.1:{balancer.port}"
    before = [served_console_pages(service) for service in services]
    status, _, raw = http_request(balancer.port, "POST", "/report/v2.0/abuse", report(
        3, threatType="URL", incidentType="Social Engineering", attackMethod="Phishing Website", sourceIp=None,
        sourceUrl="https://login.shop.example/fleet", reporterEmail="case@reporter.example"))
    report_id = json.loads(raw)["reportId"]
    driver = browser.chromium()
    try:
        browser.sign_in(driver, base, "ops@desk.example", OPERATOR_PASSWORD)
        check("the operator signs in through the balancer", "ops@desk.example" in driver.page_source)
        driver.get(f"{base}/console/reports/{report_id}")
        browser.click_and_reload(driver, by_id(driver, "accept-button"))
        check("the report is accepted", by_id(driver, "report-status").text == "accepted", by_id(driver, "report-status").text)
        browser.mitigate(driver, "login.shop.example/fleet*", "Terms of service 4.2: no phishing", "The page copies a bank's sign-in form.")
        check("the mitigation is applied", "active" in by_id(driver, "mitigations").text, by_id(driver, "mitigations").text)

        listed = json.loads(http_request(balancer.port, "GET", f"/client/v4/accounts/{account}/abuse-reports/{report_id}/mitigations",
                                         headers={"Authorization": f"Bearer {token}"})[2])
        mitigation = listed["result"]["mitigations"][0]["id"]
        status, _, raw = http_request(balancer.port, "POST", f"/client/v4/accounts/{account}/abuse-reports/{report_id}/mitigations/appeal",
                                      {"appeals": [{"id": mitigation, "reason": "removed"}]}, headers={"Authorization": f"Bearer {token}"})
        check("the customer appeals through the Accounts API", status == 200, raw[:300])

        browser.grant_first_appeal(driver, base, "The page is gone.")
        check("the appeal is granted in the console", "The appeal is answered" in driver.page_source)
        browser.screenshot(driver, os.path.join(artifacts, "fleet-appeals.png"))
        driver.get(f"{base}/console/reports/{report_id}")
        check("the case shows the mitigation removed", "removed" in by_id(driver, "mitigations").text, by_id(driver, "mitigations").text)
    finally:
        driver.quit()
    served = [served_console_pages(service) - count for service, count in zip(services, before)]
    check("the console's requests were answered by every process", all(n > 0 for n in served), str(served))


def main():
    binary = sys.argv[1]
    artifacts = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="abusedesk-artifacts-")
    results = Results("fleet")
    inbox = SlowInbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {"DATABASE_URL": os.environ["DATABASE_URL"], "ABUSEDESK_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
           "ABUSEDESK_MAIL_LEASE_SECONDS": "5", "ABUSEDESK_MAIL_RETRY_SECONDS": "1", "ABUSEDESK_RATE_LIMIT": "off"}
    services, balancer = [], None
    try:
        # Three processes started together on a new store: one migrates it, the others wait for it.
        services = [service.launch() for service in fleet(binary, 3, env)]
        started = []
        for service in services:
            try:
                started.append(service.wait_ready())
            except RuntimeError as error:
                print(error, open(service.log_path).read()[-2000:], flush=True)
        if not results.check("three processes started together on a new store all serve", len(started) == 3):
            raise RuntimeError("not every process started")
        account = cli(services[0], "account", "create", "--name", "Shop Customer", "--domain", "shop.example",
                      "--netblock", "203.0.113.0/24", "--abuse-email", "abuse@shop.example")["id"]
        token = cli(services[0], "token", "create", "--account", account, "--scope", "read", "--scope", "edit")["token"]
        cli(services[0], "operator", "create", "--email", "ops@desk.example", "--role", "admin", stdin=OPERATOR_PASSWORD + "\n")
        operator = cli(services[0], "operator", "token", "--email", "ops@desk.example")["token"]
        balancer = Balancer([service.port for service in services]).start()
        routing(results, services, balancer, operator)
        uploads(results, services, operator)
        burst(results, services, balancer, inbox)
        services[1].start()  # back in the pool: nothing of it was lost
        whole_case(results, services, balancer, account, token, artifacts)
        # Alone on the store now, once the fleet has sent everything: a process that only answers, and the
        # passes run by hand.
        deadline = time.time() + 60
        while time.time() < deadline and psql("select count(*) from outbox_messages where sent_at is null and failed_at is null") != ["0"]:
            time.sleep(0.3)
        for service in services:
            service.stop()
        answers_only(results, binary, env, inbox)
    except Exception:  # a crash of the suite is a failure, with what happened
        import traceback
        traceback.print_exc()
        results.check("the suite ran to its end", False)
    finally:
        if balancer:
            balancer.stop()
        for service in services:
            service.stop()
        smtp.stop()
    results.finish()


if __name__ == "__main__":
    main()
