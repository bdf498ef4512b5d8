"""The command line as an administrator uses it, beside a running service: help that touches nothing,
options named when mistyped, and the team and account changes (disable, enable, password, expiring
tokens; rename, close) holding at once on the running service.

    python3 e2e/cli_test.py .build/debug/abusedesk
"""
import json
import os
import subprocess
import sys
import tempfile

from support import Results, Service, cli, report


def run(binary, *arguments, cwd=None, env=None, stdin=None):
    return subprocess.run([binary, *arguments], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def main():
    binary = os.path.abspath(sys.argv[1])
    results = Results("cli")

    # Help touches no store, wherever it runs: no ./data appears (QA finding 17).
    empty = tempfile.mkdtemp(prefix="abusedesk-help-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ABUSEDESK_") and k != "DATABASE_URL"}
    for arguments in (["--help"], ["account", "--help"], ["operator", "--help"], ["serve", "--help"]):
        done = run(binary, *arguments, cwd=empty, env=env)
        results.check(f"{' '.join(arguments)} answers", done.returncode == 0 and "Usage" in (done.stdout + done.stderr), done.stderr[-300:])
    results.check("help created nothing", os.listdir(empty) == [], str(os.listdir(empty)))
    operator_help = run(binary, "operator", "--help", cwd=empty, env=env).stdout
    results.check("operator help lists disable, enable, password and --expires-in",
                  all(word in operator_help for word in ("operator disable", "operator enable", "operator password", "--expires-in")), operator_help)

    service = Service(binary, log_name="cli").start()
    try:
        bogus = run(binary, "account", "create", "--name", "X", "--bogus", env=service.env)
        results.check("an unknown option is named as such", bogus.returncode == 1 and "Unknown option --bogus" in bogus.stderr, bogus.stderr)
        missing = run(binary, "account", "create", "--name", env=service.env)
        results.check("a missing value is named", missing.returncode == 1 and "--name needs a value" in missing.stderr, missing.stderr)

        account = cli(service, "account", "create", "--name", "Shop", "--domain", "Bücher.example", "--abuse-email", "abuse@shop.example")
        results.check("a domain is stored as its A-label", [d["domain"] for d in account["domains"]] == ["xn--bcher-kva.example"], str(account))
        clash = run(binary, "account", "create", "--name", "Other", "--domain", "xn--bcher-kva.example", "--netblock", "10.0.0.0/8", env=service.env)
        results.check("both spellings of one name belong to one account, private netblocks to none",
                      clash.returncode == 1 and "already belongs" in clash.stderr and "10.0.0.0/8" in clash.stderr, clash.stderr)
        renamed = cli(service, "account", "update", "--id", account["id"], "--name", "Shop GmbH", "--abuse-email", "")
        results.check("an account is renamed and its contact removed", renamed["name"] == "Shop GmbH" and renamed["abuse_email"] is None, str(renamed))

        cli(service, "operator", "create", "--email", "leaver@abusedesk.test", stdin="a password long enough\n")
        long_password = run(binary, "operator", "create", "--email", "long@abusedesk.test", env=service.env, stdin="p" * 73 + "\n")
        results.check("a password over 72 bytes is refused, not cut", long_password.returncode == 1 and "72 bytes" in long_password.stderr,
                      long_password.stderr)
        first = cli(service, "operator", "token", "--email", "leaver@abusedesk.test")
        second = cli(service, "operator", "token", "--email", "leaver@abusedesk.test", "--expires-in", "7")
        results.check("tokens expire (90 days unless told)", first["expires_at"] > second["expires_at"], f"{first} {second}")
        bearer = {"Authorization": f"Bearer {second['token']}"}
        results.check("the token works", service.request("GET", "/admin/v1/reports", headers=bearer)[0] == 200)

        cli(service, "operator", "disable", "--email", "leaver@abusedesk.test")
        results.check("disabling on the command line refuses the token on the running service at once",
                      service.request("GET", "/admin/v1/reports", headers=bearer)[0] == 401)
        cli(service, "operator", "enable", "--email", "leaver@abusedesk.test")
        results.check("enabled again, the token works", service.request("GET", "/admin/v1/reports", headers=bearer)[0] == 200)
        changed = run(binary, "operator", "password", "--email", "leaver@abusedesk.test", env=service.env, stdin="a new password long enough\n")
        results.check("the password changes", changed.returncode == 0, changed.stderr)

        # Each report filed alone is a segment of the search index; compacting merges them and finds the same.
        for n in range(24):
            service.request("POST", "/report/v2.0/abuse", report(n, reportNotes=f"Compacted scan {n} of the relay"))
        before = service.request("GET", "/admin/v1/reports?q=compacted+relay&per_page=50", headers=bearer)
        compacted = cli(service, "compact-search")
        after = service.request("GET", "/admin/v1/reports?q=compacted+relay&per_page=50", headers=bearer)
        found = lambda answer: [line["id"] for line in json.loads(answer[2])["result"]]
        results.check("compact-search leaves the search index in at most two segments, finding the same 24 reports",
                      compacted["segments"] <= 2 and len(found(after)) == 24 and found(after) == found(before), f"{compacted}")
        results.check("compacting again finds nothing to merge", cli(service, "compact-search")["merge_steps"] == 0)

        closed = cli(service, "account", "close", "--id", account["id"])
        results.check("an account is closed with what it served freed", closed["closed_at"] and closed["domains"] == [], str(closed))
        again = run(binary, "account", "close", "--id", account["id"], env=service.env)
        results.check("a closed account stays closed", again.returncode == 1 and "closed" in again.stderr, again.stderr)
    finally:
        service.stop()
    results.finish()


if __name__ == "__main__":
    main()
