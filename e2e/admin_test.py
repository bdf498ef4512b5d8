"""The console's administration in a real browser (chromium through selenium), as an admin team uses it
when someone leaves: disable an operator (their open session is refused on their next click), revoke a
token, close an account, each through its confirmation step; and the sign-in as an attacker aims it
(a `next` with a line break must not set a cookie in the browser).

    python3 e2e/admin_test.py .build/debug/abusedesk [artifacts-folder]
"""
import os
import sys
import tempfile
import traceback

from selenium.webdriver.common.by import By

import browser
from browser import by_id, type_into
from support import Results, Service, cli

PASSWORD = "a long admin password"


def sign_in(driver, base, email, path="/console/reports"):
    browser.sign_in(driver, base, email, PASSWORD, path)


def click(driver, css):
    browser.click_and_reload(driver, driver.find_element(By.CSS_SELECTOR, css))


def main():
    binary = sys.argv[1]
    artifacts = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="abusedesk-artifacts-")
    results = Results("admin")
    check = results.check
    service = Service(binary, log_name="admin")
    account = cli(service, "account", "create", "--name", "Leaving Customer", "--domain", "leaving.example", "--abuse-email", "abuse@leaving.example")["id"]
    token = cli(service, "token", "create", "--account", account, "--name", "their script")
    cli(service, "operator", "create", "--email", "admin@desk.example", "--role", "admin", stdin=PASSWORD + "\n")
    leaver = cli(service, "operator", "create", "--email", "leaver@desk.example", stdin=PASSWORD + "\n")["id"]
    leaver_token = cli(service, "operator", "token", "--email", "leaver@desk.example")
    service.start()
    base = f"http://127.0.0.1:{service.port}"
    admin = browser.chromium()
    other = browser.chromium()
    try:
        # QA finding 1, as chromium saw it: the line break in `next` must not reach a header.
        other.get(base + "/console/login?next=%2Fconsole%0D%0ASet-Cookie%3A%20pwned%3D1%3B%20Path%3D%2F")
        type_into(other, "email", "leaver@desk.example")
        type_into(other, "password", PASSWORD)
        browser.click_and_reload(other, other.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        check("signing in through a poisoned link sets no cookie of the attacker's", other.get_cookie("pwned") is None,
              str(other.get_cookies()))
        check("and lands in the console", other.current_url.startswith(base + "/console"), other.current_url)

        sign_in(admin, base, "admin@desk.example", "/console/operators")
        check("the admin sees the team", "leaver@desk.example" in by_id(admin, "operators").text)
        admin.get(f"{base}/console/operators/{leaver}")
        click(admin, "#disable")
        check("disabling asks first", "Disable leaver@desk.example?" in admin.find_element(By.TAG_NAME, "h1").text)
        browser.screenshot(admin, os.path.join(artifacts, "console-confirm-disable.png"))
        other.get(base + "/console/reports")
        check("asking changed nothing: the leaver still works", other.current_url.endswith("/console/reports"), other.current_url)
        click(admin, "#confirm")
        check("the admin sees them disabled", "disabled" in by_id(admin, "access").text)
        other.find_element(By.CSS_SELECTOR, "a[href='/console/appeals']").click()
        browser.wait(other, lambda d: "/console/login" in d.current_url)
        check("the leaver's open session is refused on the next click", "/console/login" in other.current_url, other.current_url)
        status, _, _ = service.request("GET", "/admin/v1/reports", headers={"Authorization": f"Bearer {leaver_token['token']}"})
        check("and their token too", status == 401, str(status))

        # Revoke the customer's token, with its question, then close the account.
        admin.get(f"{base}/console/accounts/{account}")
        click(admin, f"form[action='/console/accounts/{account}/tokens/{token['id']}'] button")
        check("revoking asks first", "Revoke the token" in admin.find_element(By.TAG_NAME, "h1").text)
        click(admin, "#cancel")
        status, _, _ = service.request("GET", f"/client/v4/accounts/{account}/abuse-reports", headers={"Authorization": f"Bearer {token['token']}"})
        check("cancelled, the token still works", status == 200, str(status))
        click(admin, f"form[action='/console/accounts/{account}/tokens/{token['id']}'] button")
        click(admin, "#confirm")
        status, _, _ = service.request("GET", f"/client/v4/accounts/{account}/abuse-reports", headers={"Authorization": f"Bearer {token['token']}"})
        check("confirmed, the token is refused", status == 401, str(status))
        click(admin, "#close-account")
        check("closing asks first, saying what goes", "Close the account Leaving Customer?" in admin.find_element(By.TAG_NAME, "h1").text
              and "tokens are revoked" in admin.find_element(By.CSS_SELECTOR, ".confirm p").text)
        click(admin, "#confirm")
        check("the account is closed", "closed" in by_id(admin, "closed").text)
        browser.screenshot(admin, os.path.join(artifacts, "console-account-closed.png"))
        status, _, body = service.request("POST", "/report/v2.0/abuse", {
            "reporterName": "R", "reporterEmail": "r@example.org", "threatType": "URL", "incidentType": "Social Engineering",
            "attackMethod": "Phishing Website", "date": "2026-01-15", "time": "09:30:00", "timeZone": "+0000",
            "reportNotes": "phish", "sourceUrl": "https://www.leaving.example/login"})
        check("a report about its domain is filed, and routed to nobody", status == 200, body[:200])
        service.request("POST", "/report/v2.0/abuse", {
            "reporterName": "R", "reporterEmail": "r2@example.org", "threatType": "IP Address", "incidentType": "Network Scanning",
            "attackMethod": "Port Scan", "date": "2026-01-15", "time": "09:30:00", "timeZone": "+0000", "reportNotes": "scan",
            "sourceIp": "203.0.113.99"})
        admin.get(base + "/console/reports")
        by_id(admin, "select-all").click()
        boxes = admin.find_elements(By.CSS_SELECTOR, "input[name='report_ids']")
        check("one box in the queue's header ticks every report of the page", len(boxes) == 2 and all(b.is_selected() for b in boxes), str(len(boxes)))
        check("the bulk action starts at no action", browser.selected(admin, "bulk-action") == "")

        # Change my password: the admin's other session ends.
        admin.get(base + "/console/password")
        type_into(admin, "current", PASSWORD)
        type_into(admin, "new-password", "a new admin password")
        type_into(admin, "repeat", "a new admin password")
        click(admin, "form[action='/console/password'] button[type=submit]")
        check("the password is changed and this session stays", "password is changed" in by_id(admin, "notice").text)
        problems = admin.execute_script(browser.CONTRAST_PROBLEMS)
        check("the console's pages keep their contrast", problems == [], str(problems))
    except Exception as error:
        traceback.print_exc()
        check("the administration runs to its end", False, f"{type(error).__name__}: {error}")
    finally:
        admin.quit()
        other.quit()
        service.stop()
    results.finish()


if __name__ == "__main__":
    main()
