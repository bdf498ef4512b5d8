"""A real browser for the end-to-end suites: Debian's chromium driven by chromedriver through selenium."""
import base64
import os
import shutil

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

DESKTOP = (1280, 900)
PHONE = (375, 812)


def chromium(javascript=True, timezone=None):
    """A headless chromium at desktop size; `timezone` (an IANA name) is what the page's clock says."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US",
                     "--hide-scrollbars", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(options=options, service=DriverService(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    if timezone:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": timezone})
    return driver


def set_viewport(driver, size, mobile=False):
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def screenshot(driver, path):
    """The whole page, not only what the viewport shows, as a PNG."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(base64.b64decode(shot["data"]))
    return path


def wait(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)


def click_and_reload(driver, element, timeout=10):
    """Clicks a button that sends the form, and waits until the server's new page has replaced this one.
    While the old page is being torn down chromedriver may answer a question about it with a general
    error ("execution context was destroyed", "node does not belong to the document"): that means the
    navigation is under way, so the wait asks again."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    waiting = WebDriverWait(driver, timeout, ignored_exceptions=[WebDriverException])
    waiting.until(staleness_of(page))
    waiting.until(lambda d: d.execute_script("return document.readyState") == "complete")


def by_id(driver, element_id):
    return driver.find_element(By.ID, element_id)


def select(driver, element_id, text):
    Select(by_id(driver, element_id)).select_by_visible_text(text)


def options_of(driver, element_id):
    """The choices of a select, without its prompt (the option with an empty value)."""
    return [o.get_attribute("value") for o in Select(by_id(driver, element_id)).options if o.get_attribute("value")]


def selected(driver, element_id):
    return Select(by_id(driver, element_id)).first_selected_option.get_attribute("value")


def type_into(driver, element_id, text):
    element = by_id(driver, element_id)
    element.clear()
    if text:
        element.send_keys(text)
    return element


def ids_of(driver, css):
    return [e.get_attribute("id") for e in driver.find_elements(By.CSS_SELECTOR, css)]


# The console's steps, as an operator takes them.

def sign_in(driver, base, email, password, path="/console/reports"):
    """Opens `path`, which asks for a sign-in first, and signs in."""
    driver.get(base + path)
    type_into(driver, "email", email)
    type_into(driver, "password", password)
    click_and_reload(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def mitigate(driver, entity, ground, facts, effective=None):
    """Applies a phishing interstitial to a URL pattern from the open case, in force now or at `effective`."""
    select(driver, "m-type", "phishing interstitial")
    select(driver, "m-entity-type", "url pattern")
    type_into(driver, "m-entity", entity)
    if effective:
        driver.execute_script("document.getElementById('m-effective').value = arguments[0]", effective)
    type_into(driver, "m-ground", ground)
    type_into(driver, "m-facts", facts)
    click_and_reload(driver, by_id(driver, "mitigate-button"))


def grant_first_appeal(driver, base, reason):
    """Grants the first appeal the console's appeals page lists, with `reason`."""
    driver.get(base + "/console/appeals")
    driver.find_element(By.CSS_SELECTOR, "input[name=decision][value=grant]").click()
    driver.find_element(By.CSS_SELECTOR, "textarea[name=reason]").send_keys(reason)
    click_and_reload(driver, driver.find_element(By.CSS_SELECTOR, ".appeal-list form button"))


# Text colour against the first opaque background behind it, per WCAG 2.1 (4.5:1, or 3:1 for large text).
CONTRAST_PROBLEMS = """
function channel(value) { value /= 255; return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4); }
function parse(text) { var m = text.match(/[\\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; }
function luminance(c) { return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]); }
function background(element) {
  for (var node = element; node && node.nodeType === 1; node = node.parentElement) {
    var c = parse(getComputedStyle(node).backgroundColor);
    if (c[3] > 0.5) { return c; }
  }
  return [255, 255, 255, 1];
}
var problems = [];
var elements = document.querySelectorAll("h1,h2,h3,h4,h5,p,li,label,legend,a,button,th,td,summary,span,code,.field-error");
Array.prototype.forEach.call(elements, function (element) {
  var own = Array.prototype.some.call(element.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  var box = element.getBoundingClientRect();
  var style = getComputedStyle(element);
  if (!own || box.width === 0 || box.height === 0 || style.visibility === "hidden" || element.closest(".visually-hidden,.honeypot,[hidden],pre")) { return; }
  var a = luminance(parse(style.color)), b = luminance(background(element));
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  var size = parseFloat(style.fontSize), weight = parseInt(style.fontWeight, 10) || 400;
  var needed = (size >= 24 || (size >= 18.66 && weight >= 700)) ? 3 : 4.5;
  if (ratio < needed) { problems.push(element.tagName + " \\"" + element.textContent.trim().slice(0, 40) + "\\" " + ratio.toFixed(2)); }
});
return problems;
"""

# Controls or text that reach past the right edge of the viewport.
OVERFLOW = """
var width = document.documentElement.clientWidth;
var out = [];
if (document.documentElement.scrollWidth > width + 1) { out.push("page " + document.documentElement.scrollWidth + " > " + width); }
Array.prototype.forEach.call(document.querySelectorAll("main input, main select, main textarea, main button, main label, main p, main h1, main h2, main a"), function (e) {
  var box = e.getBoundingClientRect();
  if (box.width > 0 && !e.closest(".visually-hidden,.honeypot,.table-scroll,pre") && box.right > width + 1) { out.push((e.id || e.tagName) + " right=" + Math.round(box.right)); }
});
return out;
"""
