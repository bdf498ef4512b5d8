"""The public portal in a real browser (Debian's chromium through chromedriver and selenium), against
the built service: dependent choices, rows, the browser's time zone, inline errors with the summary
focused, an attachment, a report filed with and without JavaScript, its receipt, the developer page,
keyboard reach, contrast, and the layout at phone width. Screenshots go to the artefacts folder.

    python3 e2e/portal_test.py .build/debug/abusedesk [artifacts-folder]
"""
import glob
import os
import sqlite3
import sys
import tempfile
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import browser
from browser import by_id, ids_of, options_of, select, selected, type_into
from support import Results, Service

# A 1×1 PNG: accepted because its bytes say it is an image, whatever its name.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
URL_INCIDENTS = ["Social Engineering", "Malware", "Illegal/Violates the rights of others", "Responsible AI"]
IP_INCIDENTS = ["Account Compromise/Unauthorized Access", "Denial of Service", "Network Scanning", "Malware",
                "Social Engineering", "Spam", "Illegal/Violates the rights of others"]


class Portal:
    def __init__(self, service, artifacts, results):
        self.base = f"http://127.0.0.1:{service.port}"
        self.service = service
        self.artifacts = artifacts
        self.results = results
        self.check = results.check

    def store(self):
        return sqlite3.connect(os.path.join(self.service.data_dir, "abusedesk.sqlite"))

    def stored_report(self, report_id):
        with self.store() as db:
            return db.execute("select channel, threat_type, incident_type, attack_method, incident_time_zone, anonymize, "
                              "target_count, reporter_email from reports where id = ?", (report_id,)).fetchone()

    def attachments_of(self, report_id):
        with self.store() as db:
            return db.execute("select name, media_type, size from attachments where report_id = ?", (report_id,)).fetchall()

    def receipt_for(self, report_id, timeout=15):
        """The .eml receipt the background sender writes under the data directory."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for path in glob.glob(os.path.join(self.service.data_dir, "mail", "*.eml")):
                with open(path, encoding="utf-8") as file:
                    text = file.read()
                if f"Subject: Report {report_id} received" in text:
                    return text
            time.sleep(0.25)
        return None

    def shot(self, driver, name):
        return browser.screenshot(driver, os.path.join(self.artifacts, name + ".png"))

    # --- with JavaScript ----------------------------------------------------------------------

    def with_javascript(self):
        driver = browser.chromium(javascript=True, timezone="Asia/Kolkata")
        try:
            self.navigation(driver)
            self.dependent_choices(driver)
            self.rows_in_place(driver)
            self.keyboard(driver)
            self.shot(driver, "form-desktop")
            self.contrast(driver, "the fresh form")
            self.invalid_report(driver)
            self.valid_report_with_attachment(driver)
            self.developer_page(driver)
            self.phone(driver)
        finally:
            driver.quit()

    def navigation(self, driver):
        for path, current in [("/", "Home"), ("/report/abuse", "Report Abuse"), ("/report/developer", "Abuse API")]:
            driver.get(self.base + path)
            links = {a.text: a.get_attribute("aria-current") for a in driver.find_elements(By.CSS_SELECTOR, "nav .nav a")}
            self.check(f"{path}: the navigation bar has Home, Report Abuse and Abuse API",
                       list(links) == ["Home", "Report Abuse", "Abuse API"], str(links))
            self.check(f"{path}: the navigation marks {current} as the current page", links.get(current) == "page", str(links))
        driver.get(self.base + "/")
        text = driver.find_element(By.TAG_NAME, "main").text
        self.check("the home page says what may be reported here and what belongs elsewhere",
                   "What you can report here" in text and "What belongs elsewhere" in text)
        self.shot(driver, "home-desktop")
        self.contrast(driver, "the home page")

    def dependent_choices(self, driver):
        driver.get(self.base + "/report/abuse")
        self.check("the script runs: the no-script update button is hidden",
                   not by_id(driver, "threatType").find_element(By.XPATH, "//button[@value='refresh']").is_displayed())
        self.check("the browser's time zone (+05:30) is preselected", selected(driver, "timeZone") == "+05:30",
                   selected(driver, "timeZone"))
        self.check("before a threat type, no incident types are offered", options_of(driver, "incidentType") == [])
        self.check("the attack method is hidden before an incident type", not by_id(driver, "attackMethod").is_displayed())

        select(driver, "threatType", "URL")
        self.check("URL offers the URL incident types only", options_of(driver, "incidentType") == URL_INCIDENTS,
                   str(options_of(driver, "incidentType")))
        self.check("URL reports have no port fields", not by_id(driver, "target-0-sourcePort").is_displayed())
        select(driver, "incidentType", "Social Engineering")
        self.check("URL / Social Engineering shows its attack methods",
                   by_id(driver, "attackMethod").is_displayed()
                   and options_of(driver, "attackMethod") == ["Phishing Website", "Tech Support Scam", "Fraudulent Website"],
                   str(options_of(driver, "attackMethod")))
        select(driver, "incidentType", "Responsible AI")
        self.check("an incident type without methods hides the attack method", not by_id(driver, "attackMethod").is_displayed())

        select(driver, "threatType", "IP Address")
        self.check("IP Address offers the IP incident types only", options_of(driver, "incidentType") == IP_INCIDENTS,
                   str(options_of(driver, "incidentType")))
        select(driver, "incidentType", "Social Engineering")
        self.check("IP Address / Social Engineering offers that pair's methods only",
                   options_of(driver, "attackMethod") == ["Phishing Email", "Business Email Compromise"],
                   str(options_of(driver, "attackMethod")))
        self.check("IP reports have port fields", by_id(driver, "target-0-sourcePort").is_displayed())

    def rows_in_place(self, driver):
        driver.get(self.base + "/report/abuse")
        type_into(driver, "target-0-source", "203.0.113.1")
        url_before = driver.current_url
        for _ in range(2):
            by_id(driver, "add-row").click()
        self.check("rows are added in place, without a round trip",
                   driver.current_url == url_before and ids_of(driver, ".target-row input[id$='-source']")
                   == ["target-0-source", "target-1-source", "target-2-source"])
        self.check("a new row gets the focus", driver.switch_to.active_element.get_attribute("id") == "target-2-source")
        type_into(driver, "target-1-source", "198.51.100.2")
        type_into(driver, "target-2-source", "192.0.2.3")
        driver.find_elements(By.CSS_SELECTOR, ".target-row .remove-row")[1].click()
        values = [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, ".target-row input[id$='-source']")]
        self.check("removing a row renumbers the rest", values == ["203.0.113.1", "192.0.2.3"]
                   and ids_of(driver, ".target-row input[id$='-source']") == ["target-0-source", "target-1-source"]
                   and by_id(driver, "targetRows").get_attribute("value") == "2", str(values))
        for _ in range(8):
            by_id(driver, "add-row").click()
        self.check("at most 10 rows", len(driver.find_elements(By.CSS_SELECTOR, ".target-row")) == 10
                   and not by_id(driver, "add-row").is_displayed())

    def keyboard(self, driver):
        driver.get(self.base + "/report/abuse")
        select(driver, "threatType", "IP Address")
        select(driver, "incidentType", "Network Scanning")
        driver.find_element(By.TAG_NAME, "h1").click()
        keyboard = ActionChains(driver)
        reached = []
        outlined = True
        for _ in range(60):
            keyboard.send_keys(Keys.TAB).perform()
            active = driver.switch_to.active_element
            reached.append(active.get_attribute("id") or active.text)
            if active.get_attribute("id") in ("reporterName", "threatType", "submit-report"):
                outlined = outlined and active.value_of_css_property("outline-style") != "none"
            if active.get_attribute("id") == "submit-report":
                break
        wanted = ["reporterName", "reporterEmail", "reporterPhone", "reporterOrg", "anonymizeReport", "threatType", "incidentType",
                  "attackMethod", "date", "time", "timeZone", "target-0-source", "target-0-destination", "target-0-sourcePort",
                  "target-0-destinationPort", "add-row", "severity", "reportNotes", "attachment", "submit-report"]
        missing = [name for name in wanted if name not in reached]
        # Chromium stops at each part of a date or time input: one control, several stops.
        order = [r for i, r in enumerate(reached) if r in wanted and (i == 0 or reached[i - 1] != r)]
        self.check("every control is reached with the Tab key, in order", not missing and order == wanted,
                   f"missing {missing}; order {reached}")
        self.check("the honeypot is never reached with the keyboard", "website" not in reached)
        self.check("the focused control has a visible outline", outlined)

    def fill_valid(self, driver, source="203.0.113.77"):
        type_into(driver, "reporterName", "Robin Browser")
        type_into(driver, "reporterEmail", "robin@example.org")
        type_into(driver, "reporterOrg", "Example CERT")
        select(driver, "threatType", "IP Address")
        select(driver, "incidentType", "Account Compromise/Unauthorized Access")
        select(driver, "attackMethod", "Credential Stuffing")
        self.set_date_time(driver, "2026-11-20", "08:15:00")
        type_into(driver, "target-0-source", source)
        type_into(driver, "target-0-destinationPort", "443")
        select(driver, "severity", "High")
        type_into(driver, "reportNotes", "Thousands of sign-in attempts with leaked passwords, see the attached log.")

    def set_date_time(self, driver, date, time_of_day):
        # Chromium's date and time inputs take their parts in the locale's order (en-US: month, day, year).
        year, month, day = date.split("-")
        hour, minute, second = time_of_day.split(":")
        by_id(driver, "date").send_keys(month + day + year)
        meridiem = "AM" if int(hour) < 12 else "PM"
        by_id(driver, "time").send_keys(f"{int(hour) % 12 or 12:02d}{minute}{second}{meridiem}")

    def invalid_report(self, driver):
        driver.get(self.base + "/report/abuse")
        self.fill_valid(driver)
        type_into(driver, "reporterName", "")
        type_into(driver, "reporterEmail", "robin@")
        by_id(driver, "add-row").click()
        type_into(driver, "target-1-source", "10.0.0.7")
        type_into(driver, "target-1-sourcePort", "70000")
        type_into(driver, "reportNotes", "")
        attachment = os.path.join(tempfile.mkdtemp(), "evidence.png")
        with open(attachment, "wb") as file:
            file.write(PNG)
        by_id(driver, "attachment").send_keys(attachment)
        by_id(driver, "submit-report").click()
        browser.wait(driver, lambda d: d.find_elements(By.ID, "error-summary"))

        summary = by_id(driver, "error-summary")
        self.check("the summary names every problem",
                   "There are 6 problems with your report" in summary.text, summary.text[:400])
        self.check("the summary has the focus", driver.switch_to.active_element.get_attribute("id") == "error-summary")
        self.check("the summary is announced (role=alert)", summary.get_attribute("role") == "alert")
        beside = {e.get_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, ".field-error")}
        wanted = {"reporterName-error", "reporterEmail-error", "target-1-source-error", "target-1-sourcePort-error",
                  "reportNotes-error", "attachment-error"}
        self.check("each error is beside its field", wanted <= beside, str(beside))
        self.check("the field with a problem points at its message",
                   "reporterEmail-error" in (by_id(driver, "reporterEmail").get_attribute("aria-describedby") or "")
                   and by_id(driver, "reporterEmail").get_attribute("aria-invalid") == "true")
        self.check("the private address is explained", "private address" in by_id(driver, "target-1-source-error").text)
        kept = (by_id(driver, "reporterEmail").get_attribute("value") == "robin@"
                and by_id(driver, "reporterOrg").get_attribute("value") == "Example CERT"
                and selected(driver, "attackMethod") == "Credential Stuffing"
                and by_id(driver, "date").get_attribute("value") == "2026-11-20"
                and by_id(driver, "time").get_attribute("value") == "08:15:00"
                and by_id(driver, "target-1-source").get_attribute("value") == "10.0.0.7"
                and selected(driver, "severity") == "High"
                and selected(driver, "timeZone") == "+05:30")
        self.check("every entered value is kept", kept)
        self.check("the file must be chosen again, and the page says so",
                   "Choose the file again" in by_id(driver, "attachment-error").text)
        link = summary.find_element(By.CSS_SELECTOR, "a[href='#reporterEmail']")
        link.click()
        self.check("a summary link moves the focus to its field",
                   driver.switch_to.active_element.get_attribute("id") == "reporterEmail")
        self.shot(driver, "form-errors-desktop")
        self.contrast(driver, "the form with errors")
        with self.store() as db:
            self.check("nothing was filed", db.execute("select count(*) from reports").fetchone()[0] == 0)

    def valid_report_with_attachment(self, driver):
        # The page with errors still works: correct it and send it.
        type_into(driver, "reporterName", "Robin Browser")
        type_into(driver, "reporterEmail", "robin@example.org")
        driver.find_elements(By.CSS_SELECTOR, ".target-row .remove-row")[1].click()
        type_into(driver, "reportNotes", "Thousands of sign-in attempts with leaked passwords, see the attached log.")
        by_id(driver, "anonymizeReport").click()
        attachment = os.path.join(tempfile.mkdtemp(), "sign-in-log.png")
        with open(attachment, "wb") as file:
            file.write(PNG)
        by_id(driver, "attachment").send_keys(attachment)
        guard = driver.execute_script("""
            var form = document.getElementById("report-form");
            var first = new Event("submit", {cancelable: true}), second = new Event("submit", {cancelable: true});
            form.dispatchEvent(first);
            form.dispatchEvent(second);
            var busy = [form.getAttribute("aria-busy"), document.getElementById("submit-report").textContent];
            window.dispatchEvent(new Event("pageshow"));
            return [first.defaultPrevented, second.defaultPrevented].concat(busy, [document.getElementById("submit-report").textContent]);
        """)
        self.check("a second submit while the first is on its way is ignored",
                   guard == [False, True, "true", "Sending…", "Submit report"], str(guard))
        by_id(driver, "submit-report").click()
        browser.wait(driver, lambda d: d.find_elements(By.ID, "report-id"))
        report_id = by_id(driver, "report-id").text
        with self.store() as db:
            count = db.execute("select count(*) from reports where reporter_email = 'robin@example.org'").fetchone()[0]
        self.check("one press files one report", count == 1, f"{count} reports")
        self.check("a valid report shows the confirmation with its id", len(report_id) == 26, report_id)
        self.shot(driver, "received-desktop")
        stored = self.stored_report(report_id)
        self.check("the report is in the store as sent", stored is not None and stored[:7]
                   == ("portal", "IP Address", "Account Compromise/Unauthorized Access", "Credential Stuffing", "+05:30", 1, 1),
                   str(stored))
        self.check("its attachment is stored with it", self.attachments_of(report_id) == [("sign-in-log.png", "image/png", len(PNG))],
                   str(self.attachments_of(report_id)))
        receipt = self.receipt_for(report_id)
        self.check("the reporter's receipt is written as an .eml file", receipt is not None
                   and "To: robin@example.org" in receipt and report_id in receipt)

    def developer_page(self, driver):
        driver.get(self.base + "/report/developer")
        text = driver.find_element(By.TAG_NAME, "main").text
        self.check("the developer page shows the v2.0 endpoint, the seed examples and the taxonomy",
                   "POST /report/v2.0/abuse" in text and "Example 2: a phishing website reported under IP Address" in text
                   and "Credential Stuffing" in text and "The v1 API is deprecated" in text)
        self.shot(driver, "developer-desktop")
        self.contrast(driver, "the developer page")

    def phone(self, driver):
        browser.set_viewport(driver, browser.PHONE, mobile=True)
        try:
            driver.get(self.base + "/report/abuse")
            self.check("the form fits a 375-pixel-wide phone", not driver.execute_script(browser.OVERFLOW),
                       str(driver.execute_script(browser.OVERFLOW)))
            self.shot(driver, "form-phone")
            # Long input without spaces, shown back with an error, must not widen the page.
            select(driver, "threatType", "URL")
            type_into(driver, "target-0-source", "https://" + "a" * 300 + ".example/" + "b" * 900)
            type_into(driver, "reporterName", "N" * 200)
            driver.find_element(By.ID, "submit-report").click()
            browser.wait(driver, lambda d: d.find_elements(By.ID, "error-summary"))
            self.check("long input with errors still fits the phone", not driver.execute_script(browser.OVERFLOW),
                       str(driver.execute_script(browser.OVERFLOW)))
            self.shot(driver, "form-errors-phone")
            for path in ["/", "/report/developer"]:
                driver.get(self.base + path)
                self.check(f"{path} fits the phone", not driver.execute_script(browser.OVERFLOW),
                           str(driver.execute_script(browser.OVERFLOW)))
            self.shot(driver, "developer-phone")
        finally:
            browser.set_viewport(driver, browser.DESKTOP)

    def contrast(self, driver, where):
        problems = driver.execute_script(browser.CONTRAST_PROBLEMS)
        self.check(f"text on {where} has sufficient contrast", not problems, str(problems[:5]))

    # --- without JavaScript -------------------------------------------------------------------

    def without_javascript(self):
        driver = browser.chromium(javascript=False)
        try:
            driver.get(self.base + "/report/abuse")
            update = driver.find_element(By.XPATH, "//button[@value='refresh']")
            self.check("without scripts the update button is shown", update.is_displayed())
            type_into(driver, "reporterName", "Sam Noscript")
            type_into(driver, "reporterEmail", "sam@example.org")
            select(driver, "threatType", "URL")
            browser.click_and_reload(driver, driver.find_element(By.XPATH, "//button[@value='refresh']"))
            self.check("a change of threat type re-renders the incident types",
                       options_of(driver, "incidentType") == URL_INCIDENTS, str(options_of(driver, "incidentType")))
            self.check("the re-rendered form keeps what was entered",
                       by_id(driver, "reporterName").get_attribute("value") == "Sam Noscript"
                       and selected(driver, "threatType") == "URL")
            select(driver, "incidentType", "Malware")
            browser.click_and_reload(driver, driver.find_element(By.XPATH, "//button[@value='refresh']"))
            self.check("a change of incident type shows its attack methods",
                       by_id(driver, "attackMethod").is_displayed()
                       and options_of(driver, "attackMethod") == ["Malware Hosting", "Drive-by Download", "Command and Control"],
                       str(options_of(driver, "attackMethod")))
            select(driver, "attackMethod", "Malware Hosting")
            type_into(driver, "target-0-source", "https://files.example.net/invoice.exe")
            browser.click_and_reload(driver, by_id(driver, "add-row"))
            self.check("a row is added by the server", len(driver.find_elements(By.CSS_SELECTOR, ".target-row")) == 2
                       and by_id(driver, "target-0-source").get_attribute("value") == "https://files.example.net/invoice.exe")
            type_into(driver, "target-1-source", "https://files.example.net/update.exe")
            self.set_date_time(driver, "2026-11-21", "23:05:09")
            type_into(driver, "reportNotes", "Both files are the same trojan; the download page is linked from spam.")
            self.shot(driver, "form-nojs-desktop")
            by_id(driver, "submit-report").click()
            browser.wait(driver, lambda d: d.find_elements(By.ID, "report-id"))
            report_id = by_id(driver, "report-id").text
            stored = self.stored_report(report_id)
            self.check("without scripts a valid report is filed", stored is not None
                       and stored[:4] == ("portal", "URL", "Malware", "Malware Hosting") and stored[6] == 2, str(stored))
            self.check("its receipt is written", self.receipt_for(report_id) is not None)
        finally:
            driver.quit()


def main():
    results = Results("portal")
    artifacts = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "artifacts/screenshots")
    os.makedirs(artifacts, exist_ok=True)
    for old in glob.glob(os.path.join(artifacts, "*.png")):
        os.remove(old)
    service = Service(sys.argv[1], log_name="portal").start()
    portal = Portal(service, artifacts, results)
    try:
        portal.with_javascript()
        portal.without_javascript()
    except Exception as error:  # a step that cannot go on is a failure, not a crash of the suite
        results.check("the browser suite ran to its end", False, f"{type(error).__name__}: {error}")
    finally:
        service.stop()
    shots = sorted(os.path.basename(p) for p in glob.glob(os.path.join(artifacts, "*.png")))
    print(f"screenshots in {artifacts}: {', '.join(shots)}", flush=True)
    results.finish()


if __name__ == "__main__":
    main()
