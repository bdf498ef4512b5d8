"""Writes COUNT reports routed to ACCOUNT straight into a stopped service's SQLite store, shaped as the
service's own writer shapes them (the insert trigger indexes their targets), spread over the last 180
days: 70 % in review, 20 % accepted, 10 % denied; half phishing URLs under example.com, half addresses
in 203.0.113.0/24. For the listing benchmark only.

    python3 scripts/lib/seed_reports.py data/abusedesk.sqlite ACCOUNT_ID COUNT
"""
import json
import random
import sqlite3
import sys
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
COLUMNS = ["id", "created_at", "updated_at", "channel", "status", "denial_reason", "report_type", "threat_type", "incident_type",
           "attack_method", "incident_at", "incident_date", "incident_time", "incident_time_zone", "severity", "reporter_name",
           "reporter_email", "reporter_phone", "reporter_org", "anonymize", "notes", "original_work", "domain", "account_id",
           "routing", "submitter_account_id", "target_count", "targets", "details"]


def identifier(milliseconds, rng):
    head = "".join(ALPHABET[(milliseconds >> (5 * (8 - i))) & 31] for i in range(9))
    return head + "".join(rng.choice(ALPHABET) for _ in range(17))


def main():
    path, account, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(20261123)
    now = time.time()
    start = now - 180 * 86400
    step = (now - start) / count
    routing = json.dumps({"accountID": account, "rule": "domain", "ruleValue": "example.com", "matched": None})
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    row = "(" + ",".join("?" * len(COLUMNS)) + ")"
    head = f"INSERT INTO reports ({','.join(COLUMNS)}) VALUES "

    def write(rows):
        # Several reports a statement, as the service's writer sends them: the full-text index keeps a
        # statement's words in memory and writes them once, not once a report.
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            connection.execute(head + ",".join([row] * len(chunk)), [value for report in chunk for value in report])

    batch = []
    for n in range(count):
        created = start + n * step
        roll = rng.random()
        status, denial = ("new", None) if roll < 0.7 else ("accepted", None) if roll < 0.9 else ("denied", "no_abuse_found")
        if n % 2 == 0:
            host = f"shop{n % 5000}.example.com"
            target = {"kind": "url", "source": f"https://{host}/login/{n}", "host": host,
                      "hostReversed": ".".join(reversed(host.split(".")))}
            kind = ("PHISH", "URL", "Social Engineering", "Phishing Website", host)
        else:
            address = f"203.0.113.{n % 254 + 1}"
            target = {"kind": "ip", "source": address, "ipKey": "00000000000000000000ffffcb0071" + format(n % 254 + 1, "02x")}
            kind = ("NETWORK", "IP Address", "Network Scanning", "Port Scan", address)
        batch.append((identifier(int(created * 1000), rng), created, created, "report_api", status, denial, kind[0], kind[1], kind[2],
                      kind[3], created - 3600, "2026-01-15", "09:30:00", "+0000", None, "Bench Reporter", "bench@example.org", None,
                      None, n % 7 == 0, f"Seeded report {n}", None, kind[4], account, routing, None, 1, json.dumps([target]), "{}"))
        if len(batch) == 10000:
            write(batch)
            batch.clear()
    write(batch)
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


if __name__ == "__main__":
    main()
