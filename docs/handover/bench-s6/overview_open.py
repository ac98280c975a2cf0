#!/usr/bin/env python3
"""Keeps one headless Chromium signed in on the dashboard overview for --seconds; prints how many overview.json
refreshes the page made (from Chromium's performance log)."""
import argparse, json, sys, time
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.support import expected_conditions as EC

p = argparse.ArgumentParser()
p.add_argument("--url", required=True); p.add_argument("--key", required=True)
p.add_argument("--seconds", type=float, default=15); p.add_argument("--page", default="/dashboard"); p.add_argument("--ready-file")
a = p.parse_args()
o = webdriver.ChromeOptions(); o.binary_location = "/usr/bin/chromium"
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
    o.add_argument(arg)
o.set_capability("goog:loggingPrefs", {"performance": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    d.get(a.url + "/dashboard/sign-in")
    WebDriverWait(d, 60).until(EC.presence_of_element_located((By.ID, "f-api_key"))).send_keys(a.key)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(d, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-stat=predictions]")))
    if a.page != "/dashboard": d.get(a.url + a.page)
    time.sleep(5)  # let the browser settle (start-up, first render) before the measured run starts
    d.get_log("performance")
    if a.ready_file: open(a.ready_file, "w").write("ready\n")
    time.sleep(a.seconds)
    n = sum(1 for e in d.get_log("performance")
            if "overview.json" in e["message"] and '"Network.responseReceived"' in e["message"])
    print(f"overview.json refreshes while open: {n}")
finally:
    d.quit()
