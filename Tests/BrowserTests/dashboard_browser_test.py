#!/usr/bin/env python3
"""The dashboard in a real headless Chromium against a running txad stack (started by .ci/browser-test).

Checks: every page opens with no console errors and no failed requests, carries the Content-Security-Policy and
loads its fingerprinted, immutable assets; a single prediction shows the risk badge the API gives; the API's
validation messages appear at their fields; a CSV with a bad line is scored, its refused line listed, and the
results CSV matches the API's batch answer; Model performance has non-empty ROC and PR curves; a POST without the
CSRF token is refused; the review queue: an alert opened from the queue (history chart, deliveries), claimed,
decided with the keyboard shortcut and a note leaves the queue and appears in the alerts log with the analyst's
name; bulk decisions and "claim next"; the API's filter messages at their fields; with --second-url, a form token
issued by one gateway is accepted by a second gateway process sharing TXAD_DASHBOARD_SECRET. Screenshots of every
page, desktop and 390 px wide, go to --out.
"""
import argparse
import csv
import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

FAILURES = []


def check(condition, message):
    if condition:
        print(f"  ok   {message}")
    else:
        print(f"  FAIL {message}")
        FAILURES.append(message)


API_KEY = {}  # {"X-API-Key": admin key}: what the test's own API calls send (the browser signs in instead)


def http(url, data=None, headers=None, method=None, key=True):
    request = urllib.request.Request(url, data=data, headers={**(API_KEY if key else {}), **(headers or {})},
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(120)
    return driver


def drain_problems(driver):
    """Console errors and failed requests since the last call."""
    problems = []
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            problems.append("console: " + entry.get("message", ""))
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method = message.get("method")
        params = message.get("params", {})
        if method == "Network.responseReceived":
            response = params.get("response", {})
            status = response.get("status", 0)
            if status >= 400:
                problems.append(f"request {response.get('url')} answered {status}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"request failed: {params.get('errorText')}")
    return problems


def screenshot(driver, out, name):
    """Full-page screenshots at desktop width and at 390 px."""
    for label, width in [("desktop", 1280), ("phone", 390)]:
        driver.set_window_size(width, 900)
        time.sleep(0.3)
        height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
        driver.set_window_size(width, min(height + 40, 6000))
        time.sleep(0.3)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        if width == 390:
            check(overflow <= 1, f"{name}: nothing wider than the 390 px screen (overflow {overflow}px)")
        driver.save_screenshot(f"{out}/{name}-{label}.png")
    driver.set_window_size(1280, 900)


def open_page(driver, base, path, name, out):
    driver.get(base + path)
    WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    time.sleep(0.5)
    problems = drain_problems(driver)
    check(not problems, f"{name}: no console errors or failed requests {problems if problems else ''}")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        status, headers, _ = http(base + path)
        timings.append((time.perf_counter() - started) * 1000)
    # A figure, not a check: the machine may be loaded. Includes the backend calls the page makes.
    print(f"  time {name}: median {sorted(timings)[2]:.1f} ms over 5 requests (urllib, loopback)")
    csp = headers.get("Content-Security-Policy", "")
    check(status == 200 and "default-src 'none'" in csp and "unsafe-inline" not in csp,
          f"{name}: 200 with a strict Content-Security-Policy")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--data", required=True, help="the labelled CSV the model was trained on")
    parser.add_argument("--second-url", help="a second gateway sharing TXAD_DASHBOARD_SECRET with --url")
    parser.add_argument("--admin-key", required=True, help="txad up's admin API key")
    parser.add_argument("--scorer-key", required=True, help="an API key of role scorer")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    API_KEY["X-API-Key"] = args.admin_key
    driver = browser()
    try:
        analyst = sign_in(driver, base, args.out, args.admin_key)
        run(driver, base, args.out, args.data)
        review(driver, base, args.out, analyst)
        if args.second_url:
            replicas(base, args.second_url.rstrip("/"), args.admin_key)
        roles_and_sign_out(driver, base, args.out, args.scorer_key)
    finally:
        driver.quit()
    if FAILURES:
        print(f"browser test: {len(FAILURES)} check(s) failed")
        for failure in FAILURES:
            print("  - " + failure)
        sys.exit(1)
    print("browser test: all checks passed")


def run(driver, base, out, data):
    print("== Overview")
    open_page(driver, base, "/dashboard", "overview", out)
    stylesheet = driver.find_element(By.CSS_SELECTOR, "link[rel=stylesheet]").get_attribute("href")
    status, headers, _ = http(stylesheet)
    check(status == 200 and "immutable" in headers.get("Cache-Control", ""), "stylesheet: fingerprinted and immutable")
    check(driver.find_element(By.CSS_SELECTOR, "[data-stat=predictions]").text.strip() != "",
          "overview: shows the prediction count")
    screenshot(driver, out, "overview")

    print("== Single prediction")
    open_page(driver, base, "/dashboard/predict", "predict", out)
    screenshot(driver, out, "predict-form")
    transaction_id = driver.find_element(By.ID, "f-transaction_id").get_attribute("value")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    badge = WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-risk]")))
    risk = badge.text.strip().lower()
    check(risk in {"low", "medium", "high", "critical"}, f"predict: risk badge reads {risk!r}")
    check(driver.find_element(By.CSS_SELECTOR, "[data-cached]").get_attribute("data-cached") == "false",
          "predict: first scoring is fresh")
    check(not drain_problems(driver), "predict: submitting caused no console errors or failed requests")
    screenshot(driver, out, "predict-result")
    form = {field.get_attribute("name"): field.get_attribute("value")
            for field in driver.find_elements(By.CSS_SELECTOR, "form input[name], form select[name]")}
    body = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    for key in ("amount", "latitude", "longitude"):
        if key in body:
            body[key] = float(body[key])
    status, _, answer = http(base + "/predict", json.dumps(body).encode(), {"Content-Type": "application/json"})
    api = json.loads(answer)
    check(status == 200 and api["transaction_id"] == transaction_id and api["risk_level"] == risk and api["cached"],
          f"predict: the API gives the same risk for {transaction_id} (cached: {api.get('cached')})")
    driver.find_element(By.ID, "f-amount").clear()
    driver.find_element(By.ID, "f-amount").send_keys("lots")
    driver.find_element(By.ID, "f-user_id").clear()
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-field-error]")))
    shown = {e.get_attribute("data-field-error"): e.text.strip()
             for e in driver.find_elements(By.CSS_SELECTOR, "[data-field-error]")}
    bad = dict(body, amount="lots")
    bad.pop("user_id", None)
    status, _, answer = http(base + "/predict", json.dumps(bad).encode(), {"Content-Type": "application/json"})
    expected = {e["field"]: f"{e['field']} {e['reason']}" for e in json.loads(answer).get("errors", [])}
    check(status == 422 and shown == expected, f"predict: field messages are the API's ({shown} vs {expected})")
    screenshot(driver, out, "predict-invalid")

    print("== CSRF")
    status, _, _ = http(base + "/dashboard/predict", b"transaction_id=x&amount=1",
                        {"Content-Type": "application/x-www-form-urlencoded"}, "POST")
    check(status == 403, f"a POST without the CSRF token is refused ({status})")

    print("== Batch analysis")
    open_page(driver, base, "/dashboard/batch", "batch", out)
    with open(data, newline="") as f:
        rows = list(csv.reader(f))
    header, sample = rows[0], rows[1:121]
    keep = [i for i, name in enumerate(header) if name not in ("is_anomaly", "anomaly_type")]
    lines = [[row[i] for i in keep] for row in [header] + sample]
    lines.insert(5, ["bad-line", "u1", "not a time", "-5"] + [""] * (len(keep) - 4))
    upload = os.path.abspath(f"{out}/batch-upload.csv")
    with open(upload, "w", newline="") as f:
        csv.writer(f).writerows(lines)
    driver.find_element(By.ID, "f-file").send_keys(upload)
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    check(not drain_problems(driver), "batch: upload caused no console errors or failed requests")
    refused = driver.find_element(By.CSS_SELECTOR, "table.errors").text
    check("line 6" in refused and "timestamp" in refused, f"batch: the bad line is listed ({refused[:80]!r})")
    screenshot(driver, out, "batch-result")
    download = driver.find_element(By.CSS_SELECTOR, "a[download]").get_attribute("href")
    status, headers, body_bytes = http(download)
    results = list(csv.DictReader(io.StringIO(body_bytes.decode())))
    with open(upload, "rb") as f:
        status_api, _, answer = http(base + "/predict/batch", f.read(), {"Content-Type": "text/csv"})
    api = json.loads(answer)
    ours = {(r["transaction_id"], r["risk_level"], float(r["ensemble"])) for r in results}
    theirs = {(r["transaction_id"], r["risk_level"], float(r["scores"]["ensemble"])) for r in api["results"]}
    check(status == 200 and status_api == 200 and len(results) == 120 and ours == theirs,
          f"batch: the results CSV ({len(results)} rows) matches the API's answer ({len(api['results'])})")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "table.results thead a"))
    WebDriverWait(driver, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    first = driver.find_element(By.CSS_SELECTOR, "table.results tbody tr td code").text
    check(first == min(r["transaction_id"] for r in results) or first == max(r["transaction_id"] for r in results),
          f"batch: sorting by transaction id puts {first} first")

    print("== Model performance")
    open_page(driver, base, "/dashboard/model", "model", out)
    for chart in ("roc", "pr"):
        lines_ = driver.find_elements(By.CSS_SELECTOR, f"figure[data-chart={chart}] svg polyline")
        points = [l.get_attribute("points") or "" for l in lines_]
        check(len(points) >= 1 and all(len(p.split()) >= 2 for p in points),
              f"model: {chart} curve has {len(points)} non-empty series")
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure[data-chart=histogram] svg rect")) > 10,
          "model: score histograms drawn")
    screenshot(driver, out, "model")

    print("== Data explorer")
    open_page(driver, base, "/dashboard/explorer?size=5000&seed=42&anomaly_rate=0.05", "explorer", out)
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure[data-chart=distribution] svg")) == 4,
          "explorer: four distributions")
    screenshot(driver, out, "explorer")

    print("== Overview after traffic")
    open_page(driver, base, "/dashboard", "overview-after", out)
    check(len(driver.find_elements(By.CSS_SELECTOR, "figure[data-chart=timeline] svg")) == 1,
          "overview: the alerts-per-hour chart is drawn "
          f"({len(driver.find_elements(By.CSS_SELECTOR, 'figure[data-chart=timeline] svg polyline'))} risk series)")
    check(len(driver.find_elements(By.CSS_SELECTOR, "[data-stat=sla_breached_pending]")) == 1,
          "overview: SLA figures shown")
    time.sleep(6)
    check(not drain_problems(driver), "overview: the refresh fetches cause no errors")
    screenshot(driver, out, "overview")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(url, fields, cookie=None):
    """A form POST without following the redirect: (status, headers, body)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode(), headers, method="POST")
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def form_token(base, path):
    """The CSRF cookie and the form token a browser gets when it opens `path`."""
    status, headers, body = http(base + path)
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrf_token" value="([0-9a-f]+)"', body)
    return cookie, token.group(1).decode() if token else ""


def navigate_by(driver, element, seconds=60):
    """Clicks `element` (a submit button or link that loads a new page) and waits until the page it was on is gone,
    so that no later lookup finds an element of the page being left (read as stale, or with its old text)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, seconds).until(EC.staleness_of(old))
    return driver


def wait_for(driver, selector, seconds=60):
    return WebDriverWait(driver, seconds).until(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))


def make_alerts(base, count):
    """Scores transactions the model flags (large night-time amounts far from home) until `count` are pending."""
    for i in range(40):
        body = {"transaction_id": f"browser-alert-{i}-{int(time.time())}", "user_id": f"user_{i % 7}",
                "timestamp": "2026-12-03T03:12:00Z", "amount": 4999.99 + i * 97, "merchant_category": "electronics",
                "channel": "online", "latitude": -33.9 + i * 0.01, "longitude": 151.2, "country": "AU"}
        http(base + "/predict", json.dumps(body).encode(), {"Content-Type": "application/json"})
    for _ in range(60):
        status, _, body = http(base + "/reviews?limit=200")
        if status == 200 and json.loads(body)["total"] >= count:
            return json.loads(body)["total"]
        time.sleep(0.5)
    return 0


def sign_in(driver, base, out, key):
    """Signs the browser in with `key` through the sign-in page; the signed-in name."""
    print("== Sign-in")
    status, headers, body = http(base + "/dashboard", key=False)
    check(status == 401 and b"/dashboard/sign-in" in body and "text/html" in headers.get("Content-Type", ""),
          f"without a session the dashboard answers an HTML 401 page linking to sign-in ({status})")
    driver.get(base + "/dashboard/sign-in")
    wait_for(driver, "#f-api_key")
    check(not drain_problems(driver), "sign-in page: no console errors or failed requests")
    screenshot(driver, out, "sign-in")
    driver.find_element(By.ID, "f-api_key").send_keys("txad_wrong_key")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    problem = wait_for(driver, "[data-problem]").text
    check("unknown" in problem, f"sign-in: a wrong key is refused ({problem!r})")
    drain_problems(driver)
    driver.find_element(By.ID, "f-api_key").send_keys(key)
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    wait_for(driver, "[data-stat=predictions]")
    cookie = driver.get_cookie("txad_session") or {}
    check(cookie.get("httpOnly") and cookie.get("sameSite") == "Strict" and len(cookie.get("value", "")) == 64,
          f"sign-in: HttpOnly, SameSite=Strict session cookie ({ {k: cookie.get(k) for k in ('httpOnly', 'sameSite')} })")
    name = driver.find_element(By.CSS_SELECTOR, ".who").text.split()[0]
    check(not drain_problems(driver), f"sign-in: signed in as {name!r} without errors")
    return name


def roles_and_sign_out(driver, base, out, scorer_key):
    print("== Sign-out and roles")
    driver.get(base + "/dashboard/sign-out")
    navigate_by(driver, wait_for(driver, "form[action='/dashboard/sign-out'] button"))
    wait_for(driver, "#f-api_key")
    check(driver.get_cookie("txad_session") is None, "sign-out: the session cookie is gone")
    driver.get(base + "/dashboard/reviews")
    wait_for(driver, "h1")
    check("Sign-in needed" in driver.find_element(By.TAG_NAME, "h1").text, "after sign-out the queue needs sign-in")
    drain_problems(driver)
    driver.get(base + "/dashboard/sign-in")
    wait_for(driver, "#f-api_key").send_keys(scorer_key)
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    wait_for(driver, "#f-transaction_id")
    nav = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "header nav a")]
    check("Review queue" not in nav, f"scorer: the navigation offers no review pages ({nav})")
    driver.get(base + "/dashboard/reviews")
    wait_for(driver, "h1")
    text = driver.find_element(By.TAG_NAME, "main").text
    check("Your role (scorer) may not open this page" in text, "scorer: the review queue is refused with an HTML 403")
    problems = [p for p in drain_problems(driver) if "answered 403" not in p and "status of 403" not in p]
    check(not problems, f"scorer: only the expected 403 {problems}")
    screenshot(driver, out, "forbidden")


def review(driver, base, out, analyst):
    print("== Review queue")
    pending = make_alerts(base, 4)
    check(pending >= 4, f"review: transactions scored through the API raised alerts ({pending} pending)")
    open_page(driver, base, "/dashboard/reviews", "reviews", out)
    rows = driver.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    check(len(rows) >= 4, f"review: the queue lists the pending alerts ({len(rows)} rows)")
    screenshot(driver, out, "reviews")
    alert_id = rows[0].get_attribute("data-alert")
    navigate_by(driver, rows[0].find_element(By.CSS_SELECTOR, "td:nth-child(2) a"))
    wait_for(driver, "form#decision-form")
    check(not drain_problems(driver), f"alert {alert_id}: opened from the queue without errors")
    points = [l.get_attribute("points") or "" for l in
              driver.find_elements(By.CSS_SELECTOR, "figure[data-chart=history] svg polyline")]
    check(points and all(len(p.split()) >= 1 for p in points), "alert: the user's amount history is drawn")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table.recent tbody tr")) >= 1,
          "alert: the user's recent transactions are listed")
    screenshot(driver, out, "alert")

    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/claim'] button"))
    notice = wait_for(driver, "[data-notice]").text
    claimed_by = driver.find_element(By.CSS_SELECTOR, "[data-claimed-by]").text
    check("claim" in notice and claimed_by == analyst, f"alert: claimed ({notice!r}, by {claimed_by!r})")
    driver.find_element(By.TAG_NAME, "body").send_keys("f")
    fraud = driver.find_element(By.CSS_SELECTOR, "input[name=decision][value=fraud]")
    check(fraud.is_selected(), "alert: the f shortcut chooses fraud")
    driver.find_element(By.ID, "f-note").send_keys("browser test: <b>card</b> reported stolen")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "button[name=then][value=stay]"))
    notice = wait_for(driver, "[data-notice]").text
    audit = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-audit]"))
    check("Decision recorded" in notice and analyst in audit and "fraud" in audit and "<b>card</b>" in audit,
          f"alert: decided, audit trail names the analyst and keeps the note as text ({audit!r})")
    check(not drain_problems(driver), "alert: claim and decision caused no console errors or failed requests")
    screenshot(driver, out, "alert-decided")

    status, _, body = http(base + "/reviews?limit=200")
    check(status == 200 and alert_id not in [i["alert_id"] for i in json.loads(body)["items"]],
          f"review: alert {alert_id} left the queue")
    open_page(driver, base, "/dashboard/alerts?status=confirmed_fraud", "alerts", out)
    row = driver.find_elements(By.CSS_SELECTOR, f"tr[data-alert='{alert_id}']")
    decided_by = row[0].find_element(By.CSS_SELECTOR, "[data-analyst]").text if row else None
    check(decided_by == analyst, f"alerts log: alert {alert_id} is listed as fraud, decided by {decided_by!r}")
    screenshot(driver, out, "alerts")

    driver.get(base + "/dashboard/alerts?risk_level=severe&user_id=u1")
    shown = wait_for(driver, "[data-field-error=risk_level]").text
    status, _, answer = http(base + "/alerts?risk_level=severe&user_id=u1&limit=50")
    expected = [f"{e['field']} {e['reason']}" for e in json.loads(answer).get("errors", [])]
    check(status == 422 and [shown] == expected, f"alerts log: the API's message at the filter ({shown!r})")
    problems = [p for p in drain_problems(driver) if "answered 422" not in p and "status of 422" not in p]
    check(not problems, f"alerts log: only the expected 422 {problems}")
    screenshot(driver, out, "alerts-invalid")

    print("== Bulk decision and claim next")
    open_page(driver, base, "/dashboard/reviews", "reviews-again", out)
    boxes = driver.find_elements(By.CSS_SELECTOR, "table.queue input[name=alert_id]")[:2]
    chosen = [b.get_attribute("value") for b in boxes]
    for box in boxes:
        box.click()
    driver.find_element(By.ID, "b-decision").send_keys("legitimate")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form.bulk button[type=submit]"))
    outcomes = {e.get_attribute("data-bulk-outcome"): e.text for e in
                WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-bulk-outcome]"))}
    check(sorted(outcomes) == sorted(chosen) and all(t.endswith("decided") for t in outcomes.values()),
          f"bulk: {len(chosen)} alerts decided legitimate ({outcomes})")
    check(not drain_problems(driver), "bulk: no console errors or failed requests")
    screenshot(driver, out, "reviews-bulk")
    navigate_by(driver, driver.find_element(By.CSS_SELECTOR, "form.claim-next button"))
    notice = wait_for(driver, "[data-notice]").text
    check("Claimed for you" in notice or "Nothing pending" in notice, f"claim next: {notice!r}")

    status, _, _ = http(base + f"/dashboard/alerts/{alert_id}/decision", b"decision=legitimate",
                        {"Content-Type": "application/x-www-form-urlencoded"}, "POST")
    check(status == 403, f"a decision POST without the CSRF token is refused ({status})")


def replicas(base, second, key):
    print("== Two gateways, one TXAD_DASHBOARD_SECRET and one Redis")
    csrf, token = form_token(base, "/dashboard/sign-in")
    status, headers, _ = post_form(base + "/dashboard/sign-in", {"csrf_token": token, "api_key": key}, csrf)
    session = headers.get("Set-Cookie", "").split(";")[0]
    check(status == 303 and session.startswith("txad_session="), f"gateway 1: signed in ({status})")
    cookie = f"{csrf}; {session}"
    status, headers, _ = post_form(second + "/dashboard/reviews/next", {"csrf_token": token}, cookie)
    check(status == 303, f"gateway 2 accepts gateway 1's session and form token ({status} → {headers.get('Location')})")
    status, _, _ = post_form(second + "/dashboard/reviews/next", {"csrf_token": "0" * 32}, cookie)
    check(status == 403, f"a wrong token is still refused by gateway 2 ({status})")


if __name__ == "__main__":
    main()
