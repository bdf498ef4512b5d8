"""The Accounts API through the official `cloudflare` Python client, its base URL pointed at a running
AbuseDesk. Accounts, tokens and an operator are made with the `abusedesk` command line beside the running
service; reports come in through the client and the public Report Abuse API; an operator accepts and
mitigates through the admin API; the customer reads, pages, filters and appeals through the client.

    python3 e2e/accounts_client_test.py .build/debug/abusedesk
"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time

import cloudflare

from support import Results, Service, cli, report

CALLS = set()


def called(name):
    CALLS.add(name)


def main():
    results = Results("accounts-client")
    check = results.check
    service = Service(sys.argv[1], log_name="accounts").start()
    try:
        run(service, check)
    except Exception as error:  # a step that cannot go on is a failure, not a crash of the suite
        check("the client suite ran to its end", False, f"{type(error).__name__}: {error}")
    finally:
        service.stop()
    print("client calls exercised: " + ", ".join(sorted(CALLS)), flush=True)
    results.finish()


def run(service, check):
    acme = cli(service, "account", "create", "--name", "Acme Hosting", "--domain", "example.com", "--netblock", "203.0.113.0/24",
               "--abuse-email", "abuse@example.com")["id"]
    other = cli(service, "account", "create", "--name", "Other Cloud", "--domain", "example.net", "--abuse-email", "abuse@example.net")["id"]
    acme_token = cli(service, "token", "create", "--account", acme, "--scope", "read", "--scope", "edit")["token"]
    acme_read = cli(service, "token", "create", "--account", acme, "--scope", "read")["token"]
    other_token = cli(service, "token", "create", "--account", other, "--scope", "read", "--scope", "edit")["token"]
    cli(service, "operator", "create", "--email", "analyst@abusedesk.test", "--role", "analyst", stdin="a long operator password\n")
    operator = cli(service, "operator", "token", "--email", "analyst@abusedesk.test")["token"]
    check("the command line made accounts, tokens and an operator", all([acme, other, acme_token, other_token, operator]))
    time.sleep(3)  # the running service picks up accounts made elsewhere within two seconds

    base = f"http://127.0.0.1:{service.port}/client/v4"
    customer = cloudflare.Cloudflare(api_token=acme_token, base_url=base, max_retries=0)
    submitter = cloudflare.Cloudflare(api_token=other_token, base_url=base, max_retries=0)

    # --- The other account submits reports about acme's sites, of several types ------------------
    who = dict(name="Pat Reporter", email="pat@example.net", email2="pat@example.net", company="Other Cloud Trust & Safety")
    submissions = {
        "abuse_phishing": dict(urls="https://login.example.com/bank", justification="A copy of our bank's sign-in page collecting passwords.",
                               original_work="Example Bank", host_notification="send", owner_notification="send-anon"),
        "abuse_dmca": dict(urls="https://media.example.com/harbour.jpg", address1="1 Main Street", agent_name="Rights Agent", agree=1,
                           city="Springfield", state="IL", country="US", original_work="Photo series 'Harbour'", signature="Pat Reporter",
                           host_notification="send", owner_notification="send"),
        "abuse_general": dict(urls="https://files.example.com/spam", justification="Spam landing page.", source_ips="203.0.113.50",
                              ports_protocols="80/TCP", host_notification="send", owner_notification="send"),
        "abuse_threat": dict(urls="https://forum.example.com/post/9", justification="A post threatening a named person.",
                             host_notification="send", owner_notification="send"),
        "abuse_registrar_whois": dict(urls="https://brand.example.com/", owner_notification="none", reg_who_request={
            "reg_who_request_type": "disclosure", "reg_who_requested_data_elements": ["registrant_email"],
            "reg_who_legal_basis": "Trademark enforcement.", "reg_who_good_faith_affirmation": True,
            "reg_who_lawful_processing_agreement": True}),
    }
    submitted = {}
    for act, fields in submissions.items():
        raw = submitter.abuse_reports.with_raw_response.create(act, account_id=other, act=act, **who, **fields)
        called("abuse_reports.with_raw_response.create")
        body = raw.json()
        check(f"create {act}", raw.status_code == 200 and body["success"] is True and len(body["abuse_rand"]) == 26, str(body))
        submitted[act] = body["abuse_rand"]
    # The plain call answers the envelope's result; the report is found again through the domain filter.
    answer = submitter.abuse_reports.create("abuse_threat", account_id=other, act="abuse_threat", **who, urls="https://plain.example.com/x",
                                            justification="Another threatening post.", host_notification="send", owner_notification="send")
    called("abuse_reports.create")
    check("the client's create answers the result", answer == "success", repr(answer))

    try:
        submitter.abuse_reports.create("abuse_threat", account_id=other, act="abuse_threat", name="", email="pat@", email2="x",
                                       urls="https://a.example.com/\nhttps://b.example.com/", justification="",
                                       host_notification="loud", owner_notification="send")
        check("an invalid report is refused", False)
    except cloudflare.BadRequestError as error:
        fields = {e["field"] for e in error.body["errors"]}
        check("an invalid report is refused with every problem listed", error.status_code == 400
              and {"name", "email", "urls", "justification", "host_notification"} <= fields
              and error.body["msg"].startswith(error.body["errors"][0]["field"]), str(error.body))
    try:
        submitter.abuse_reports.create("abuse_threat", account_id=other, act="abuse_threat", **who, urls="https://nowhere.example.org/x",
                                       justification="A threat.", host_notification="send", owner_notification="send")
        check("a URL nobody here serves is refused", False)
    except cloudflare.BadRequestError as error:
        check("a URL nobody here serves is refused as not served here", error.body["err_code"] == "not_served_here", str(error.body))

    # --- More reports through the public Report Abuse API ------------------------------------------
    public_ids = []
    for n in range(4):
        status, _, body = service.request("POST", "/report/v2.0/abuse", report(n, sourceIp=f"203.0.113.{100 + n}"))
        public_ids.append(json.loads(body)["reportId"])
        check(f"public report {n} filed", status == 200, body[:200])
    plain = customer.abuse_reports.list(account_id=acme, domain="plain.example.com").result.reports
    check("the plainly created report is found by its domain", len(plain) == 1, str(plain))
    everything = set(submitted.values()) | set(public_ids) | {r["id"] for r in plain}

    # --- The customer walks the list page by page ---------------------------------------------------
    seen, page_number, pages = [], 1, None
    while True:
        page = customer.abuse_reports.list(account_id=acme, page=page_number, per_page=4, sort="cdate,asc")
        called("abuse_reports.list")
        # The reports are in result.reports (the generic iterator of this client expects result.items).
        seen += [item["id"] for item in page.result.reports]
        pages = page.result_info.total_pages
        check(f"page {page_number}: result_info", page.result_info.page == page_number and page.result_info.per_page == 4
              and page.result_info.total_count == len(everything) and page.result_info.count == len(page.result.reports),
              str(page.result_info))
        if page_number >= pages:
            break
        page_number += 1
    check("walking the pages yields every report once", len(seen) == len(everything) == 10 and set(seen) == everything and pages == 3,
          f"{len(seen)} seen, {pages} pages")
    beyond = customer.abuse_reports.list(account_id=acme, page=9, per_page=4)
    check("a page beyond the end is empty", beyond.result.reports == [] and beyond.result_info.count == 0)
    phish = customer.abuse_reports.list(account_id=acme, type="PHISH")
    check("filter by type", [r["id"] for r in phish.result.reports] == [submitted["abuse_phishing"]])
    by_domain = customer.abuse_reports.list(account_id=acme, domain="forum.example.com")
    check("filter by domain", {r["id"] for r in by_domain.result.reports} == {submitted["abuse_threat"]})

    # --- Details, and who the customer learns about -------------------------------------------------
    detail = customer.abuse_reports.get(submitted["abuse_phishing"], account_id=acme)
    called("abuse_reports.get")
    check("details of a report", detail.type == "PHISH" and detail.status == "in_review" and detail.domain == "login.example.com"
          and detail.original_work == "Example Bank" and detail.urls == ["https://login.example.com/bank"], str(detail))
    check("send-anon hides the submitter from the customer", detail.submitter.name is None and detail.submitter.email is None)
    named = customer.abuse_reports.get(submitted["abuse_threat"], account_id=acme)
    check("send shows the submitter", named.submitter.name == "Pat Reporter" and named.submitter.company == "Other Cloud Trust & Safety")

    # --- An operator accepts and mitigates (admin API) -----------------------------------------------
    admin = {"Authorization": f"Bearer {operator}"}
    target = submitted["abuse_phishing"]
    status, _, body = service.request("POST", f"/admin/v1/reports/{target}/accept", headers=admin)
    check("the operator accepts the report", status == 200, body[:200])
    statement = {"ground": "Terms of service 4.2: phishing", "facts": "The page imitates Example Bank's sign-in.", "automated": False}
    # Scheduled a month ahead (a mitigation is scheduled within a year).
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, _, body = service.request("POST", f"/admin/v1/reports/{target}/mitigations", {"type": "phishing_interstitial",
                                      "entity_type": "url_pattern", "entity_id": "login.example.com/bank*", "statement": statement}, headers=admin)
    active = json.loads(body)["result"]["id"]
    status2, _, body2 = service.request("POST", f"/admin/v1/reports/{target}/mitigations", {"type": "account_suspend",
                                        "entity_type": "account", "entity_id": acme, "effective_date": later,
                                        "statement": statement}, headers=admin)
    pending = json.loads(body2)["result"]["id"]
    check("the operator applies an active and a pending mitigation", status == 200 and status2 == 200, body2[:200])

    summary = customer.abuse_reports.get(target, account_id=acme).mitigation_summary
    check("the summary counts the mitigations", summary.active_count == 1 and summary.pending_count == 1
          and summary.accepted_url_count == 1, str(summary))
    mitigations = customer.abuse_reports.mitigations.list(target, account_id=acme)
    called("abuse_reports.mitigations.list")
    check("the mitigations", {m["id"] for m in mitigations.result.mitigations} == {active, pending})
    only_pending = customer.abuse_reports.mitigations.list(target, account_id=acme, status="pending")
    check("mitigations filtered by status", [m["id"] for m in only_pending.result.mitigations] == [pending])
    by_type = customer.abuse_reports.mitigations.list(target, account_id=acme, type="phishing_interstitial", sort="type,desc")
    check("mitigations filtered by type and sorted", [m["id"] for m in by_type.result.mitigations] == [active])
    zone = customer.abuse_reports.mitigations.list(target, account_id=acme, entity_type="account", effective_after=soon)
    check("mitigations filtered by entity type and date", [m["id"] for m in zone.result.mitigations] == [pending])

    # --- The customer appeals ------------------------------------------------------------------------
    eligibility = customer.get(f"/accounts/{acme}/abuse-reports/{target}/appeals/eligibility", cast_to=object)
    called("get (appeals/eligibility)")
    check("the report can be appealed", eligibility["result"]["appealable"] is True, str(eligibility))
    reviewed = customer.abuse_reports.mitigations.review(target, account_id=acme, appeals=[{"id": active, "reason": "removed"}])
    called("abuse_reports.mitigations.review")
    items = list(reviewed)
    check("the appealed mitigation is in review", [(m.id, m.status) for m in items] == [(active, "in_review")], str(items))
    again = list(customer.abuse_reports.mitigations.review(target, account_id=acme, appeals=[{"id": active, "reason": "removed"}]))
    check("appealing again changes nothing", [(m.id, m.status) for m in again] == [(active, "in_review")])
    after = customer.get(f"/accounts/{acme}/abuse-reports/{target}/appeals/eligibility", cast_to=object)["result"]
    check("one open appeal counted", after["has_open_appeal"] is True and after["appeal_count"] == 1, str(after))

    # --- E-mails, once the background sender has sent them -------------------------------------------
    emails = wait_for(lambda: customer.get(f"/accounts/{acme}/abuse-reports/{target}/emails", cast_to=object)["result"]["emails"],
                      lambda found: len(found) >= 4)
    called("get (emails)")
    subjects = [e["subject"] for e in emails]
    check("the customer's e-mails: accepted, two mitigations, appeal received",
          len(subjects) == 4 and subjects[0].endswith("accepted: Phishing") and subjects[-1].startswith("Appeal received")
          and all(e["recipient"] == "abuse@example.com" for e in emails), str(subjects))
    check("the hidden submitter is in no customer e-mail", not any("pat@example.net" in e["body"] for e in emails))

    # --- What the other account submitted --------------------------------------------------------------
    mine = submitter.abuse_reports.submitted.list(account_id=other, per_page=200)
    called("abuse_reports.submitted.list")
    check("the submitted list", {r["id"] for r in mine.result.reports} == set(submitted.values()) | {r["id"] for r in plain}
          and mine.result_info.total_count == 6, str(mine.result_info))
    accepted = submitter.abuse_reports.submitted.list(account_id=other, status=["accepted"])
    check("submitted, filtered by status", [r["id"] for r in accepted.result.reports] == [target])
    typed = submitter.abuse_reports.submitted.list(account_id=other, type=["DMCA", "THREAT"], status=["submitted"])
    check("submitted, filtered by types", len(typed.result.reports) == 3 and {r["type"] for r in typed.result.reports} == {"DMCA", "THREAT"})
    full = submitter.abuse_reports.submitted.get(submitted["abuse_general"], account_id=other)
    called("abuse_reports.submitted.get")
    check("a submitted report with every field", full.status == "submitted" and full.source_ips == ["203.0.113.50"]
          and full.ports_protocols == ["80/TCP"] and full.dsa_attestation is False, str(full))
    receipts = wait_for(lambda: submitter.abuse_reports.submitted.emails.list(target, account_id=other).result.emails, lambda found: len(found) >= 1)
    called("abuse_reports.submitted.emails.list")
    check("the submitter's receipt", receipts[0]["recipient"] == "pat@example.net" and target in receipts[0]["subject"], str(receipts))

    # --- Tokens are checked ------------------------------------------------------------------------------
    expect_error(check, "an unknown token", cloudflare.AuthenticationError,
                 lambda: cloudflare.Cloudflare(api_token="x" * 43, base_url=base, max_retries=0).abuse_reports.list(account_id=acme))
    expect_error(check, "another account's token", cloudflare.PermissionDeniedError,
                 lambda: submitter.abuse_reports.get(target, account_id=acme))
    expect_error(check, "a read token appealing", cloudflare.PermissionDeniedError,
                 lambda: cloudflare.Cloudflare(api_token=acme_read, base_url=base, max_retries=0).abuse_reports.mitigations.review(
                     target, account_id=acme, appeals=[{"id": pending, "reason": "removed"}]))
    expect_error(check, "another account's report", cloudflare.NotFoundError,
                 lambda: submitter.abuse_reports.get(target, account_id=other))
    expect_error(check, "a bad filter value", cloudflare.BadRequestError,
                 lambda: customer.abuse_reports.list(account_id=acme, status="denied"))

    # --- Every change of the case is in the audit log, and altering one is found ------------------------
    verified = cli(service, "audit", "verify")
    check("abusedesk audit verify finds the log intact", verified.get("intact") is True and verified.get("entries", 0) >= 10
          and len(verified.get("head_hash", "")) == 64, str(verified))
    store = os.path.join(service.data_dir, "abusedesk.sqlite")
    if os.path.exists(store):
        with sqlite3.connect(store) as connection:
            connection.execute("UPDATE audit_entries SET actor = 'operator:someone-else' WHERE sequence = 3")
        done = subprocess.run([service.binary, "audit", "verify"], env=service.env, capture_output=True, text=True, timeout=120)
        check("an altered entry makes audit verify fail and name it", done.returncode == 1 and done.stdout == ""
              and "entry 3 was changed after it was written" in done.stderr, done.stderr[-400:])


def expect_error(check, what, kind, call):
    try:
        call()
        check(f"{what} is refused", False, "no error")
    except kind as error:
        body = error.body if isinstance(error.body, dict) else {}
        check(f"{what} is refused ({error.status_code})", body.get("success") is False and bool(body.get("errors")), str(body))
    except cloudflare.APIStatusError as error:
        check(f"{what} is refused as {kind.__name__}", False, f"got {type(error).__name__} {error.status_code}")


def wait_for(fetch, done, timeout=20):
    deadline = time.time() + timeout
    found = fetch()
    while not done(found) and time.time() < deadline:
        time.sleep(0.5)
        found = fetch()
    return found


if __name__ == "__main__":
    main()
