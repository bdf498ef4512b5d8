"""Schemathesis against the running service and its own /openapi.json, in three runs: the public endpoints
without a token; the Accounts API with an account's token, its id and real report ids supplied so that the
fuzzer reaches past 404; the admin API with an operator's token. Each run writes a JUnit report.

    python3 e2e/fuzz_test.py .build/debug/abusedesk REPORTS_DIR [max-examples]
"""
import json
import os
import subprocess
import sys

from support import Service, cli, report

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"


def main():
    binary, reports_dir = sys.argv[1], sys.argv[2]
    examples = sys.argv[3] if len(sys.argv) > 3 else "100"
    schemathesis = os.path.join(os.path.dirname(sys.executable), "st")
    service = Service(binary, log_name="fuzz").start()
    failed = 0
    try:
        account = cli(service, "account", "create", "--name", "Fuzzed", "--domain", "example.com", "--netblock", "203.0.113.0/24",
                      "--abuse-email", "abuse@example.com")["id"]
        token = cli(service, "token", "create", "--account", account, "--scope", "read", "--scope", "edit")["token"]
        cli(service, "operator", "create", "--email", "fuzz@abusedesk.test", "--role", "admin", stdin="a fuzzing operator password\n")
        operator = cli(service, "operator", "token", "--email", "fuzz@abusedesk.test")["token"]
        service.stop()
        service.start()  # routes to the new account from the first request on

        # A report against the account, accepted and mitigated; one the account submitted.
        bearer = {"Authorization": f"Bearer {token}"}
        admin = {"Authorization": f"Bearer {operator}"}
        _, _, body = service.request("POST", "/report/v2.0/abuse", report(1, sourceIp="203.0.113.9"), headers=bearer)
        report_id = json.loads(body)["reportId"]
        service.request("POST", f"/admin/v1/reports/{report_id}/accept", headers=admin)
        service.request("POST", f"/admin/v1/reports/{report_id}/mitigations", {
            "type": "network_block", "entity_type": "account", "entity_id": account,
            "statement": {"ground": "Terms of service 4.1", "facts": "Port scans.", "automated": False}}, headers=admin)

        config = os.path.join(service.data_dir, "schemathesis.toml")
        with open(config, "w") as file:
            file.write(f'[parameters]\n"path.account_id" = "{account}"\n"path.report_id" = "{report_id}"\n\n'
                       '[[operations]]\ninclude-method = "GET"\ninclude-path-regex = "report_param"\n'
                       f'parameters = {{ "path.report_param" = "{report_id}" }}\n\n'
                       '[[operations]]\ninclude-path-regex = "mitigations/appeal"\n'
                       f'parameters = {{ "path.report_param" = "{report_id}" }}\n')

        url = f"http://127.0.0.1:{service.port}/openapi.json"
        runs = [("public", ["--exclude-path-regex", "^/(client|admin)/"], [], "150"),
                ("accounts", ["--include-path-regex", "^/client/"], ["-H", f"Authorization: Bearer {token}"], examples),
                ("admin", ["--include-path-regex", "^/admin/"], ["-H", f"Authorization: Bearer {operator}"], examples)]
        for name, selection, headers, count in runs:
            junit = os.path.join(reports_dir, f"schemathesis-{name}.xml")
            log = os.path.join(service.data_dir, f"schemathesis-{name}.log")
            with open(log, "w") as output:
                status = subprocess.run([schemathesis, "--config-file", config, "run", url, *selection, *headers, "--checks", CHECKS,
                                         "--max-examples", count, "--seed", "20261123", "--no-color", "--report", "junit",
                                         "--report-junit-path", junit], stdout=output, stderr=subprocess.STDOUT, timeout=1800).returncode
            with open(log) as output:
                text = output.read()
            summary = [line for line in text.splitlines() if "generated" in line or "FAILED" in line or "Selected" in line]
            print(f"{name}: exit {status}; " + "; ".join(line.strip() for line in summary[-3:]), flush=True)
            if status != 0:
                failed += 1
                print(text[-4000:], flush=True)
    finally:
        service.stop()
        with open(service.log_path, errors="replace") as log:
            if "Fatal error" in (crash := log.read()) or "Illegal instruction" in crash:
                failed += 1
                print("The service crashed under schemathesis: " + crash[crash.find("Fatal error"):][:500], flush=True)
    print(f"FUZZ failed_runs={failed}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
