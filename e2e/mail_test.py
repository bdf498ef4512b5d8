"""E-mail end to end: a real SMTP server (aiosmtpd, with STARTTLS and AUTH required) receives every message
of a whole case — a report filed through the API, accepted in the console through a real browser, a
mitigation scheduled there and activated by the scheduler, forwarded upstream, the customer appealing
through the Accounts API, the appeal granted in the console — and each message's recipient, subject and
body are checked, and that the reporter stayed hidden where asked. A second run stops the SMTP server in the
middle of a case (and restarts AbuseDesk meanwhile), then checks that every message arrives once it is
back, none twice. A third run speaks to a server that wants TLS from the first byte (smtps://).

    python3 e2e/mail_test.py .build/debug/abusedesk [artifacts-folder]
"""
import datetime
import email
import email.policy
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from selenium.webdriver.common.by import By

import browser
from browser import by_id, type_into
from support import Results, Service, cli, free_port, report

SMTP_USER, SMTP_PASSWORD = "abusedesk", "smtp secret"
OPERATOR_PASSWORD = "an operator's password"
REPORTER = ("Robin Reporter", "robin@reporter.example")


class Inbox:
    """What the SMTP server received: each message with its envelope and how the session was secured."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            # The connection's own transport says whether it is encrypted, whichever way TLS began.
            encrypted = server.transport is not None and server.transport.get_extra_info("ssl_object") is not None
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "tls": encrypted,
                                  "authenticated": bool(session.authenticated), "message": message,
                                  "body": message.get_body(("plain",)).get_content()})
        return "250 Message accepted"

    def all(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, count, timeout=40):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.all()) >= count:
                time.sleep(1.5)  # anything more that would arrive, a duplicate say, arrives now
                return self.all()
            time.sleep(0.2)
        return self.all()


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class SMTPServer:
    """aiosmtpd on loopback with a self-signed certificate: STARTTLS required, then AUTH required."""

    def __init__(self, folder, mechanisms_excluded=(), implicit_tls=False):
        self.implicit_tls = implicit_tls
        self.inbox = Inbox()
        self.port = free_port()
        self.cert = os.path.join(folder, "smtp-cert.pem")
        key = os.path.join(folder, "smtp-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", self.cert],
                       check=True, capture_output=True)
        import ssl
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(self.cert, key)
        self.excluded = list(mechanisms_excluded)
        self.controller = None

    def start(self):
        # With TLS from the first byte aiosmtpd offers AUTH only when it is not told to wait for STARTTLS.
        tls = ({"ssl_context": self.tls, "auth_require_tls": False} if self.implicit_tls
               else {"tls_context": self.tls, "require_starttls": True, "auth_require_tls": True})
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, authenticator=authenticate,
                                     auth_exclude_mechanism=self.excluded, **tls)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


class Case:
    def __init__(self, results, binary, smtp, artifacts):
        self.check = results.check
        self.smtp = smtp
        self.artifacts = artifacts
        folder = tempfile.mkdtemp(prefix="abusedesk-mail-")
        scheme = "smtps" if smtp.implicit_tls else "smtp"
        env = {"ABUSEDESK_SMTP_URL": f"{scheme}://{SMTP_USER}:{SMTP_PASSWORD.replace(' ', '%20')}@127.0.0.1:{smtp.port}",
               "ABUSEDESK_SMTP_CA_FILE": smtp.cert, "ABUSEDESK_MAIL_FROM": "Acme Trust & Safety <abuse@desk.example>",
               "ABUSEDESK_MAIL_RETRY_SECONDS": "1"}
        if not smtp.implicit_tls:
            env["ABUSEDESK_SMTP_STARTTLS"] = "require"
        self.service = Service(binary, data_dir=folder, env=env)
        self.account = cli(self.service, "account", "create", "--name", "Shop Customer", "--domain", "shop.example",
                           "--netblock", "203.0.113.0/24", "--abuse-email", "abuse@shop.example")["id"]
        self.token = cli(self.service, "token", "create", "--account", self.account, "--scope", "read", "--scope", "edit")["token"]
        cli(self.service, "operator", "create", "--email", "ops@desk.example", "--role", "analyst", stdin=OPERATOR_PASSWORD + "\n")
        self.operator = cli(self.service, "operator", "token", "--email", "ops@desk.example")["token"]
        self.service.start()
        self.base = f"http://127.0.0.1:{self.service.port}"

    def api(self, method, path, body=None, token=None):
        status, _, raw = self.service.request(method, path, body, headers={"Authorization": f"Bearer {token or self.operator}"})
        return status, json.loads(raw) if raw else None

    def file_report(self, url, anonymize=True):
        status, _, raw = self.service.request("POST", "/report/v2.0/abuse", report(
            1, reporterName=REPORTER[0], reporterEmail=REPORTER[1], threatType="URL", incidentType="Social Engineering",
            attackMethod="Phishing Website", sourceIp=None, sourceUrl=url, anonymizeReport=anonymize,
            reportNotes="A copy of our bank's sign-in page asks for card numbers."))
        self.check("the report is filed through the API", status == 200, raw[:300])
        return json.loads(raw)["reportId"]


def subjects(messages, recipient):
    return [m["message"]["Subject"] for m in messages if recipient in m["to"]]


def whole_case(results, binary, artifacts):
    folder = tempfile.mkdtemp(prefix="abusedesk-smtp-")
    smtp = SMTPServer(folder).start()
    case = Case(results, binary, smtp, artifacts)
    check = results.check
    driver = browser.chromium()
    try:
        report_id = case.file_report("https://login.shop.example/bank")

        browser.sign_in(driver, case.base, "ops@desk.example", OPERATOR_PASSWORD)
        check("the operator is signed in to the console", "ops@desk.example" in driver.page_source)
        driver.get(f"{case.base}/console/reports/{report_id}")
        check("the case shows the reporter to the operator", REPORTER[1] in driver.page_source)
        browser.click_and_reload(driver, by_id(driver, "accept-button"))
        check("the report is accepted in the browser", by_id(driver, "report-status").text == "accepted", by_id(driver, "report-status").text)

        effective = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%S")
        browser.mitigate(driver, "login.shop.example/bank*", "Terms of service 4.2: no phishing",
                         "The page copies a bank's sign-in form and posts card numbers elsewhere.", effective=effective)
        table = by_id(driver, "mitigations").text
        check("the mitigation is scheduled, pending until its time", "pending" in table, table)

        type_into(driver, "forward-recipient", "abuse@upstream.example")
        type_into(driver, "forward-note", "The site runs on a server you lease to our customer.")
        browser.click_and_reload(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/forward'] button"))
        check("the forward is recorded", "forwarded to abuse@upstream.example" in driver.page_source)

        deadline = time.time() + 25
        mitigation = None
        while time.time() < deadline:
            _, listed = case.api("GET", f"/client/v4/accounts/{case.account}/abuse-reports/{report_id}/mitigations", token=case.token)
            mitigation = listed["result"]["mitigations"][0] if listed and listed["result"]["mitigations"] else None
            if mitigation and mitigation["status"] == "active":
                break
            time.sleep(0.5)
        check("the scheduler makes the mitigation active when due", mitigation and mitigation["status"] == "active", str(mitigation))

        status, appealed = case.api("POST", f"/client/v4/accounts/{case.account}/abuse-reports/{report_id}/mitigations/appeal",
                                    {"appeals": [{"id": mitigation["id"], "reason": "removed"}]}, token=case.token)
        check("the customer appeals through the Accounts API", status == 200 and appealed["result"][0]["status"] == "in_review", str(appealed))

        browser.grant_first_appeal(driver, case.base, "The page is gone; we checked it twice.")
        check("the appeal is granted in the browser", "The appeal is answered" in driver.page_source)
        browser.screenshot(driver, os.path.join(artifacts, "console-appeals.png"))
        driver.get(f"{case.base}/console/reports/{report_id}")
        browser.screenshot(driver, os.path.join(artifacts, "console-report.png"))

        # reporter: receipt, decision; customer: accepted, mitigation, appeal received, appeal granted; host: the forward.
        messages = smtp.inbox.wait_for(7)
        check("seven messages arrive, no more", len(messages) == 7, str([(m["to"], m["message"]["Subject"]) for m in messages]))
        check("every session used STARTTLS and AUTH", all(m["tls"] and m["authenticated"] for m in messages))
        check("the envelope sender is the configured address", all(m["from"] == "abuse@desk.example" for m in messages))
        for m in messages:
            headers = m["message"]
            check(f"'{headers['Subject']}' carries its headers", headers["From"] == "Acme Trust & Safety <abuse@desk.example>"
                  and headers["To"] == m["to"][0] and headers["Message-ID"] and headers["Date"] and headers["Auto-Submitted"] == "auto-generated")
        check("the reporter is sent a receipt, then the decision", subjects(messages, REPORTER[1]) == [
            f"Report {report_id} received: Social Engineering", f"Report {report_id} accepted: Social Engineering"],
            str(subjects(messages, REPORTER[1])))
        receipt = next(m for m in messages if m["message"]["Subject"].startswith(f"Report {report_id} received"))["body"]
        check("the receipt names what was filed and that the reporter stays hidden",
              f"Report id:  {report_id}" in receipt and "Incident:   URL / Social Engineering / Phishing Website" in receipt
              and "Reported:   hxxps://login[.]shop[.]example/bank" in receipt and not receipt.startswith("Hello Robin")
              and "your name and e-mail address are not shared with the reported customer" in receipt, receipt)
        customer = subjects(messages, "abuse@shop.example")
        check("the customer is told each step", customer == [
            f"Abuse report {report_id} accepted: Phishing", f"Mitigation scheduled for abuse report {report_id}: phishing interstitial",
            f"Appeal received for abuse report {report_id}", f"Appeal granted for abuse report {report_id}"], str(customer))
        mitigation_mail = next(m for m in messages if m["message"]["Subject"].startswith("Mitigation scheduled"))["body"]
        check("the mitigation e-mail gives the statement of reasons",
              "Ground:     Terms of service 4.2: no phishing" in mitigation_mail and "Automated:  no, a person decided" in mitigation_mail
              and "How to appeal:" in mitigation_mail and "login.shop.example/bank*" in mitigation_mail, mitigation_mail)
        granted = next(m for m in messages if m["message"]["Subject"].startswith("Appeal granted"))["body"]
        check("the appeal's answer gives the reason", "is removed." in granted and "The page is gone; we checked it twice." in granted, granted)
        host = [m for m in messages if "abuse@upstream.example" in m["to"]]
        check("the upstream host gets the forward with the operator's note", len(host) == 1
              and host[0]["message"]["Subject"] == f"Abuse report {report_id} forwarded to you: Phishing"
              and "The site runs on a server you lease" in host[0]["body"] and "https://login.shop.example/bank" in host[0]["body"])
        hidden = [m for m in messages if REPORTER[1] not in m["to"]]
        check("the reporter stays hidden from the customer and the host", all(
            REPORTER[0] not in m["body"] and REPORTER[1] not in m["body"] and "the reporter asked not to be named" in m["body"]
            for m in hidden if "Mitigation" not in m["message"]["Subject"] and "Appeal received" not in m["message"]["Subject"]))
        check("no customer or host message names the reporter", all(REPORTER[0] not in m["body"] and REPORTER[1] not in m["body"] for m in hidden))

        _, listed = case.api("GET", f"/client/v4/accounts/{case.account}/abuse-reports/{report_id}/emails?per_page=100", token=case.token)
        shown = [(e["recipient"], e["subject"]) for e in listed["result"]["emails"]]
        received = [(m["to"][0], m["message"]["Subject"]) for m in messages if "abuse@shop.example" in m["to"]]
        check("the Accounts API lists exactly the e-mails the customer received", shown == received, f"{shown} != {received}")
        bodies = {e["subject"]: e["body"] for e in listed["result"]["emails"]}
        differing = [(bodies[m["message"]["Subject"]], m["body"]) for m in messages if "abuse@shop.example" in m["to"]
                     and bodies[m["message"]["Subject"]].strip() != m["body"].replace("\r\n", "\n").strip()]
        check("and with the bodies that were sent", not differing, repr(differing[:1])[:1500])
        _, summary = case.api("GET", f"/client/v4/accounts/{case.account}/abuse-reports/{report_id}", token=case.token)
        check("the customer sees external_host_notified", summary["result"]["mitigation_summary"]["external_host_notified"] is True)
        verified = subprocess.run([binary, "audit", "verify"], env=case.service.env, capture_output=True, text=True)
        check("the audit log of the case is intact", verified.returncode == 0 and json.loads(verified.stdout)["intact"], verified.stderr)
    finally:
        driver.quit()
        case.service.stop()
        smtp.stop()


def outage(results, binary):
    """The SMTP server goes away mid-case and AbuseDesk restarts meanwhile; everything arrives once, later."""
    folder = tempfile.mkdtemp(prefix="abusedesk-smtp-")
    smtp = SMTPServer(folder, mechanisms_excluded=["PLAIN"]).start()  # AUTH LOGIN this time
    case = Case(results, binary, smtp, None)
    check = results.check
    try:
        first = case.file_report("https://login.shop.example/one", anonymize=False)
        case.api("POST", f"/admin/v1/reports/{first}/accept")
        before = smtp.inbox.wait_for(3)
        check("with the server up, the first messages arrive over AUTH LOGIN", len(before) == 3 and all(m["authenticated"] for m in before),
              str([m["message"]["Subject"] for m in before]))

        smtp.stop()
        second = case.file_report("https://login.shop.example/two")
        case.api("POST", f"/admin/v1/reports/{second}/accept")
        case.api("POST", f"/admin/v1/reports/{second}/forward", {"recipient": "abuse@upstream.example"})
        status, _ = case.api("POST", f"/admin/v1/reports/{first}/mitigations", {
            "type": "phishing_interstitial", "entity_type": "url_pattern", "entity_id": "login.shop.example/one",
            "statement": {"ground": "Terms of service 4.2", "facts": "A phishing page.", "automated": False}})
        check("work goes on while the mail server is down", status == 200)
        time.sleep(4)
        _, waiting = case.api("GET", "/admin/v1/emails?state=retrying&state=queued&per_page=100")
        check("the undelivered messages wait in the outbox, failures recorded", len(waiting["result"]) == 5
              and any(e["attempts"] > 0 and e["last_error"] for e in waiting["result"]), json.dumps(waiting["result"])[:600])

        case.service.stop()
        case.service.start()
        smtp.start()
        after = smtp.inbox.wait_for(8, timeout=60)
        subjects_seen = [m["message"]["Subject"] for m in after]
        ids = [m["message"]["Message-ID"] for m in after]
        check("every message arrives once the server is back, after a restart too", len(after) == 8, str(subjects_seen))
        check("none arrives twice", len(set(ids)) == len(ids) and len(set(zip(subjects_seen, [m["to"][0] for m in after]))) == len(after),
              str(subjects_seen))
        check("the late ones are the outage's messages", sorted(subjects_seen[3:]) == sorted([
            f"Report {second} received: Social Engineering", f"Report {second} accepted: Social Engineering", f"Abuse report {second} accepted: Phishing",
            f"Abuse report {second} forwarded to you: Phishing", f"Mitigation applied for abuse report {first}: phishing interstitial"]),
            str(subjects_seen[3:]))
        _, sent = case.api("GET", "/admin/v1/emails?state=sent&per_page=100")
        check("the outbox marks all eight sent", len(sent["result"]) == 8)
    finally:
        case.service.stop()
        smtp.stop()


def implicit_tls(results, binary):
    """smtps://: TLS from the first byte, then AUTH PLAIN."""
    folder = tempfile.mkdtemp(prefix="abusedesk-smtp-")
    smtp = SMTPServer(folder, implicit_tls=True).start()
    case = Case(results, binary, smtp, None)
    try:
        report_id = case.file_report("https://login.shop.example/tls", anonymize=False)
        case.api("POST", f"/admin/v1/reports/{report_id}/accept")
        messages = smtp.inbox.wait_for(3)
        results.check("over smtps:// the receipt, the decision and the customer's notice arrive, encrypted and authenticated",
                      len(messages) == 3 and all(m["tls"] and m["authenticated"] for m in messages),
                      str([(m["message"]["Subject"], m["tls"]) for m in messages]))
    finally:
        case.service.stop()
        smtp.stop()


def main():
    binary = sys.argv[1]
    artifacts = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="abusedesk-artifacts-")
    results = Results("mail")
    try:
        whole_case(results, binary, artifacts)
    except Exception as error:  # a crash of the suite is a failure, with what happened
        import traceback
        traceback.print_exc()
        results.check("the whole case runs to its end", False, f"{type(error).__name__}: {error}")
    for name, run in [("the outage case", outage), ("the smtps:// case", implicit_tls)]:
        try:
            run(results, binary)
        except Exception as error:
            import traceback
            traceback.print_exc()
            results.check(f"{name} runs to its end", False, f"{type(error).__name__}: {error}")
    results.finish()


if __name__ == "__main__":
    main()
