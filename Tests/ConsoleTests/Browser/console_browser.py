#!/usr/bin/python3
"""Drives the console in a real browser (Debian's chromium, headless, through chromedriver) and
prints one JSON object: each check's name and what it saw. The Swift test decides.

    console_browser.py BASE_URL OPERATOR_TOKEN READER_TOKEN SCREENSHOT_DIR JOB_ID ACCOUNT_ID

A worker serving the queue "lane" runs meanwhile; the lane's five finished jobs wait in the
history for the bulk retry that brings them back while the lane is paused.
"""
import time
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

base, operator_token, reader_token, shots, job_id, account_id = sys.argv[1:7]
os.makedirs(shots, exist_ok=True)
seen = {}

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
browser.set_page_load_timeout(120)


def click_and_wait(element):
    """Clicks what submits a form, and waits until the next page has replaced this one: a mark
    left on this page's window is gone, and the new document has loaded. Questions asked while
    the browser is between pages may fail; they are asked again."""
    browser.execute_script("window.__cw_old_page = true")
    element.click()
    WebDriverWait(browser, 120, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.execute_script("return window.__cw_old_page !== true && document.readyState === 'complete'"))


def log_in(token):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.NAME, "token").send_keys(token)
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))


def lane():
    """The lane's row on the overview: queue, due, scheduled, running. Asked again if the live
    refresh swapped the page out while it was being read."""
    for _ in range(50):
        try:
            return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "tr[data-queue='lane'] td")[:4]]
        except WebDriverException:
            time.sleep(0.1)
    return []


def next_refresh(after):
    """Waits until the live refresh has replaced the page's content once more; returns its mark."""
    WebDriverWait(browser, 90, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: driver.execute_script("return document.body.getAttribute('data-refreshed')") not in (None, after))
    return browser.execute_script("return document.body.getAttribute('data-refreshed')")


def shot(name):
    browser.save_screenshot(os.path.join(shots, name + ".png"))


def pwned():
    # The hostile args and error set these if any of their markup ran.
    return browser.execute_script("return [window.__pwned === 1, window.__pwned_img === 1]")


try:
    log_in(operator_token)
    seen["logged_in_heading"] = browser.find_element(By.TAG_NAME, "h1").text
    # Live refresh off while pages are read element by element; the lane's part turns it on.
    browser.execute_script("window.localStorage.setItem('calworker.console.live', 'off')")
    shot("overview")

    browser.get(base + "/runs")
    browser.find_element(By.NAME, "account").send_keys(account_id)
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "form.filters button"))
    seen["filtered_url"] = browser.current_url
    seen["filtered_jobs"] = sorted({link.text for link in browser.find_elements(By.CSS_SELECTOR, "td a[href^='/jobs/']")})
    shot("runs")

    browser.get(base + "/jobs/" + job_id)
    seen["job_script_ran"] = pwned()
    seen["job_args_text"] = browser.find_element(By.CSS_SELECTOR, "td.args").text
    shot("job")
    attempts_before = len(browser.find_elements(By.CSS_SELECTOR, "h2 + table tbody tr"))
    click_and_wait(browser.find_element(By.XPATH, "//button[text()='Retry now']"))
    seen["after_retry_state"] = browser.find_element(By.XPATH, "//th[text()='State']/following-sibling::td").text
    seen["attempts_before_retry"] = attempts_before

    browser.get(base + "/bulk?action=cancel&kind=noop")
    seen["bulk_preview"] = browser.find_element(By.CSS_SELECTOR, "p.message").text
    shot("bulk")
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "form[action='/bulk'][method='post'] button"))
    seen["bulk_done"] = browser.find_element(By.CSS_SELECTOR, "p.message").text

    # Pause the lane from the overview, bring its jobs back, and watch the worker leave them.
    browser.get(base + "/")
    pause = browser.find_element(By.CSS_SELECTOR, "form[action='/queues/lane/pause']")
    pause.find_element(By.NAME, "reason").send_keys("browser test")
    click_and_wait(pause.find_element(By.TAG_NAME, "button"))
    seen["lane_paused"] = lane()
    browser.get(base + "/bulk?action=retry&queue=lane")
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "form[action='/bulk'][method='post'] button"))
    seen["lane_retried"] = browser.find_element(By.CSS_SELECTOR, "p.message").text
    browser.get(base + "/")
    toggle = browser.find_element(By.CSS_SELECTOR, "button.live")
    seen["live_toggle_before"] = toggle.text
    toggle.click()
    seen["live_toggle_after"] = browser.find_element(By.CSS_SELECTOR, "button.live").text
    browser.execute_script("window.__cw_same_page = true")
    mark = next_refresh(None)
    first = lane()
    next_refresh(mark)
    seen["lane_while_paused"] = [first, lane()]
    shot("overview-paused")
    click_and_wait(browser.find_element(By.CSS_SELECTOR, "form[action='/queues/lane/resume'] button"))
    browser.execute_script("window.__cw_same_page = true")
    WebDriverWait(browser, 90, poll_frequency=0.5, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: lane()[1:4] == ["0", "0", "0"] and driver.execute_script("return document.body.hasAttribute('data-refreshed')"))
    seen["lane_after_resume"] = lane()
    seen["drained_without_reload"] = browser.execute_script("return window.__cw_same_page === true && document.body.hasAttribute('data-refreshed')")

    log_in(reader_token)
    browser.get(base + "/jobs/" + job_id)
    seen["reader_buttons"] = [button.text for button in browser.find_elements(By.CSS_SELECTOR, "button:not(.live)")]
    # A read-only session posting an action anyway, with its own valid CSRF token.
    seen["reader_post_status"] = browser.execute_script("""
        const token = document.querySelector("input[name=csrf]").value;
        const request = new XMLHttpRequest();
        request.open("POST", "/jobs/%s/cancel", false);
        request.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        request.send("csrf=" + token);
        return request.status;
    """ % job_id)
    browser.get(base + "/accounts")
    seen["accounts_script_ran"] = pwned()
    shot("accounts")
finally:
    browser.quit()

print(json.dumps(seen))
