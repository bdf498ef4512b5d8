"""Writes COUNT reports straight into a stopped service's store (a SQLite file, or a PostgreSQL URL),
shaped as the service's own writer shapes them (the database's triggers index their targets and words
and keep the tallies), spread over the last 180 days: 70 % in review, 20 % accepted, 10 % denied.

The first ACCOUNT (which owns example.com and 203.0.113.0/24) gets two reports in five: phishing URLs
on 5,000 hosts under example.com and addresses in 203.0.113.0/24; each other ACCOUNT (the Nth owning
customerN.example and 45.76.N.0/24) an equal share of the rest on its own hosts and addresses; one in
twenty reports is routed to nobody, and one in fifty was submitted by the first account. Notes read
like real ones. Beside them: one e-mail in five reports (sent, a few failed for good), a mitigation for
one accepted report in four, and an appeal for one mitigation in ten. For the listing benchmark only.

    python3 scripts/lib/seed_reports.py STORE COUNT ACCOUNT [ACCOUNT...]
"""
import csv
import datetime
import io
import json
import random
import sqlite3
import subprocess
import sys
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
REPORT_COLUMNS = ["id", "created_at", "updated_at", "channel", "status", "denial_reason", "report_type", "threat_type", "incident_type",
                  "attack_method", "incident_at", "incident_date", "incident_time", "incident_time_zone", "severity", "reporter_name",
                  "reporter_email", "reporter_phone", "reporter_org", "anonymize", "notes", "original_work", "domain", "account_id",
                  "routing", "submitter_account_id", "target_count", "targets", "details"]
MAIL_COLUMNS = ["id", "report_id", "account_id", "audience", "recipient", "subject", "body", "created_at", "next_attempt_at", "attempts",
                "last_error", "sent_at", "failed_at", "receipt_to"]
MITIGATION_COLUMNS = ["id", "report_id", "account_id", "type", "entity_type", "entity_id", "status", "effective_date", "statement",
                      "created_by", "created_at", "updated_at"]
APPEAL_COLUMNS = ["id", "report_id", "mitigation_id", "request_id", "account_id", "reason", "details", "status", "created_at",
                  "decided_at", "decision_reason"]
TIME_COLUMNS = {"created_at", "updated_at", "incident_at", "next_attempt_at", "sent_at", "failed_at", "effective_date", "decided_at"}

BRANDS = ["PayPal", "Microsoft 365", "DHL", "Netflix", "Chase", "Apple ID", "Amazon", "Dropbox", "Wells Fargo", "Office"]
PHISH_NOTES = ["Phishing page imitating the {brand} login, sent to our users in an invoice e-mail; it asks for the password and the one-time code.",
               "Credential harvesting kit for {brand}; the form posts to a PHP script on the same host. Report {n}.",
               "Our customers received SMS messages linking here, a fake {brand} parcel notice asking for card details.",
               "Lookalike of the {brand} sign-in page, still live as of this morning. Please take it down urgently (report {n})."]
NETWORK_NOTES = ["Port scan against our network from this address, thousands of SYN packets to ports 22, 23 and 3389.",
                 "SSH brute force: over 4,000 failed logins in an hour from this host; log excerpt attached. Report {n}.",
                 "This address probes our web servers for /wp-login.php and /.env every few seconds.",
                 "Repeated RDP login attempts from this address against our office firewall since last night (report {n})."]


def identifier(milliseconds, rng):
    head = "".join(ALPHABET[(milliseconds >> (5 * (8 - i))) & 31] for i in range(9))
    return head + "".join(rng.choice(ALPHABET) for _ in range(17))


class Store:
    """Rows go in as several-row INSERTs (SQLite) or COPY (PostgreSQL), in batches."""

    def __init__(self, target):
        self.postgres = target.startswith("postgres")
        self.target = target
        if not self.postgres:
            self.connection = sqlite3.connect(target)
            self.connection.execute("PRAGMA synchronous=OFF")
            # The indexes on hosts, addresses and reporters take rows in no order: with SQLite's default
            # 2 MB of cache nearly every row read its pages from the file again (ten million reports would
            # have taken hours). And a commit every batch, so the write-ahead log is copied into the store
            # as it goes rather than growing to the size of everything.
            self.connection.execute("PRAGMA cache_size=-3000000")

    def value(self, column, value):
        if column in TIME_COLUMNS and value is not None and self.postgres:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).isoformat()
        return value

    def write(self, table, columns, rows):
        if not rows:
            return
        if self.postgres:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(["\\N" if v is None else ("t" if v is True else "f" if v is False else self.value(c, v))
                                 for c, v in zip(columns, row)])
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.target, "-c",
                            f"\\copy {table} ({','.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"],
                           input=buffer.getvalue(), text=True, check=True)
            return
        # Several rows a statement, as the service's writer sends them: the full-text index keeps a
        # statement's words in memory and writes them once.
        placeholders = "(" + ",".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            self.connection.execute(f"INSERT INTO {table} ({','.join(columns)}) VALUES " + ",".join([placeholders] * len(chunk)),
                                    [self.value(c, v) for row in chunk for c, v in zip(columns, row)])

    def commit(self):
        if not self.postgres:
            self.connection.commit()

    def finish(self):
        if self.postgres:
            # As autovacuum leaves a table some time after a bulk load: its visibility map lets index-only
            # scans skip the table.
            subprocess.run(["psql", "-q", self.target, "-c", "VACUUM ANALYZE"], check=True)
        else:
            self.connection.commit()
            self.connection.execute("PRAGMA analysis_limit=2000")
            self.connection.execute("ANALYZE")
            self.connection.close()


def main():
    target, count, accounts = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    bench, others = accounts[0], accounts[1:]
    rng = random.Random(20261123)
    now = time.time()
    start = now - 180 * 86400
    step = (now - start) / count
    store = Store(target)
    reports, mails, mitigations, appeals = [], [], [], []

    def flush(force=False):
        # PostgreSQL gets bigger batches: each is one psql process.
        if force or len(reports) >= (100_000 if store.postgres else 10_000):
            store.write("reports", REPORT_COLUMNS, reports)
            store.write("outbox_messages", MAIL_COLUMNS, mails)
            store.write("mitigations", MITIGATION_COLUMNS, mitigations)
            store.write("appeals", APPEAL_COLUMNS, appeals)
            store.commit()
            for rows in (reports, mails, mitigations, appeals):
                rows.clear()

    for n in range(count):
        created = start + n * step
        roll = rng.random()
        status, denial = ("new", None) if roll < 0.7 else ("accepted", None) if roll < 0.9 else ("denied", "no_abuse_found")
        share = n % 20
        if share == 19:
            account, owner = None, None
        elif share < 8 or not others:
            account, owner = bench, 0
        else:
            owner = 1 + n % len(others)
            account = others[owner - 1]
        if n % 2 == 0:
            host = f"shop{n % 5000}.example.com" if owner == 0 else f"www{n % 300}.customer{owner or 0}.example"
            target = {"kind": "url", "source": f"https://{host}/login/{n}", "host": host,
                      "hostReversed": ".".join(reversed(host.split(".")))}
            kind = ("PHISH", "URL", "Social Engineering", "Phishing Website", host)
            notes = rng.choice(PHISH_NOTES).format(brand=rng.choice(BRANDS), n=n)
        else:
            last = (n // 2) % 254 + 1
            address, prefix = (f"203.0.113.{last}", "cb0071") if owner == 0 else (f"45.76.{owner or 0}.{last}", f"2d4c{owner or 0:02x}")
            target = {"kind": "ip", "source": address, "ipKey": "00000000000000000000ffff" + prefix + format(last, "02x")}
            kind = ("NETWORK", "IP Address", "Network Scanning", "Port Scan", address)
            notes = rng.choice(NETWORK_NOTES).format(n=n)
        report_id = identifier(int(created * 1000), rng)
        rule = ("domain" if n % 2 == 0 else "netblock") if account else "none"
        routing = json.dumps({"accountID": account, "rule": rule, "ruleValue": kind[4] if account else None, "matched": None})
        submitter = bench if n % 50 == 7 else None
        reports.append((report_id, created, created, "report_api", status, denial, kind[0], kind[1], kind[2], kind[3], created - 3600,
                        "2026-01-15", "09:30:00", "+0000", rng.choice([None, "High", "Medium", "Low"]), f"Reporter {n % 9000}",
                        f"soc{n % 9000}@reporter{n % 40}.example", None, None, n % 7 == 0, notes, None, kind[4], account,
                        routing, submitter, 1, json.dumps([target]), "{}"))
        if n % 5 == 0:
            failed = n % 500 == 0
            mails.append((identifier(int(created * 1000), rng), report_id, None, "reporter", f"soc{n % 9000}@reporter{n % 40}.example",
                          f"Report {report_id} received", "Thank you for your report.", created, created, 1,
                          "550 5.1.1 mailbox unknown" if failed else None, None if failed else created + 2,
                          created + 2 if failed else None, None))
        if status == "accepted" and account and n % 4 == 0:
            mitigation_id = identifier(int(created * 1000), rng)
            mitigations.append((mitigation_id, report_id, account, "phishing_interstitial" if n % 2 == 0 else "network_block",
                                "url_pattern" if n % 2 == 0 else "account", kind[4] if n % 2 == 0 else account,
                                "active" if n % 3 else "cancelled", created + 60, "The page imitates a bank's sign-in page.",
                                "bench", created + 60, created + 60))
            if n % 40 == 0:
                appeals.append((identifier(int(created * 1000), rng), report_id, mitigation_id, identifier(int(created * 1000), rng),
                                account, "misclassified",
                                "The page is our own sign-in page.", ["open", "granted", "rejected"][n % 3], created + 3600,
                                None if n % 3 == 0 else created + 7200, None if n % 3 == 0 else "Checked."))
        flush()
    flush(force=True)
    store.finish()


if __name__ == "__main__":
    main()
