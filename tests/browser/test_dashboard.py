#!/usr/bin/env python3
"""The dashboard in a real headless Chromium against a real recruit-ledgerd (issue 15, SPEC §13).

Usage: test_dashboard.py --daemon recruit-ledgerd --cli recruit-ledger --screenshots DIR
Exit 0 when every check passes, 1 on a failure, 77 (ctest SKIP_RETURN_CODE) when chromium,
chromedriver or python3-selenium is not installed here (tools/install-deps.sh installs them).

Checks: every read-model view draws its chart and table; the browser log has no errors; no
request leaves the server's origin; the as-of picker shows the figures of ?as_of_position=;
a form submission appends an event the live list shows, and an event appended elsewhere
appears in the open view over SSE; a 422 is shown at its field; axe-core finds no serious or
critical violation; with --tokens, a reader signs in and is not offered the form (a writer is).
The whole run is bounded (TOTAL_SECONDS)."""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time

TOTAL_SECONDS = 150
HERE = os.path.dirname(os.path.abspath(__file__))
started = time.monotonic()


def skip(reason):
    print("SKIP: " + reason + " (tools/install-deps.sh installs chromium chromium-driver python3-selenium)")
    sys.exit(77)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (os.path.exists("/usr/lib/chromium/chromedriver") and "/usr/lib/chromium/chromedriver")
if not CHROMIUM or not CHROMEDRIVER:
    skip("chromium or chromedriver is not installed")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    skip("python3-selenium is not installed")

sys.path.insert(0, HERE)
from server import Server, add_token, make_demo  # noqa: E402

VIEWS = ["recruits-per-campaign", "funnel", "hires-vs-target", "vacancies", "outreach", "origin", "retention"]
# Statuses the page asks for on purpose, which Chromium logs as "Failed to load resource":
# 401 before sign-in, 403 for role probes (audit, append), 422 for the refused submission, 400
# for the append-role probe (an empty body, refused after the role check).
EXPECTED_STATUSES = {"401", "403", "422"}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def remaining():
    left = TOTAL_SECONDS - (time.monotonic() - started)
    check(left > 0, "the browser test ran out of its %d s" % TOTAL_SECONDS)
    return left


class Page:
    def __init__(self, origin, screenshots):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1360,1000", "--lang=en-GB", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-default-apps", "--disable-sync", "--disable-extensions"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(30)
        self.origin = origin
        self.screenshots = screenshots
        self.requests = []
        self.console = []

    def wait(self, condition, what, seconds=20):
        try:
            return WebDriverWait(self.driver, min(seconds, remaining())).until(lambda d: condition(d))
        except Exception as error:  # TimeoutException and friends: say what we waited for
            self.shot("failure")
            raise Failure("timed out waiting for " + what + " (" + type(error).__name__ + ")")

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        """The element's visible text, read in the page (no stale references while it redraws)."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)

    def ready(self, css, what):
        return self.wait(lambda d: self.finds(css + '[data-ready="true"]'), what)

    def open(self, fragment):
        self.driver.get(self.origin + "/" + fragment)
        self.wait(lambda d: d.execute_script("return document.body.dataset.started === 'true'"), "the page to start")

    def go(self, fragment):
        self.driver.execute_script("location.hash = arguments[0]", fragment)

    def shot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        self.driver.save_screenshot(os.path.join(self.screenshots, name + ".png"))

    def drain_logs(self):
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        self.console.extend(self.driver.get_log("browser"))

    def check_logs(self):
        self.drain_logs()
        for entry in self.console:
            if entry["level"] not in ("SEVERE", "ERROR"):
                continue
            status = re.search(r"status of (\d+)", entry["message"])
            expected = entry.get("source") == "network" and status and (
                status.group(1) in EXPECTED_STATUSES
                or (status.group(1) == "400" and "/v1/streams/campaign-role-probe/events" in entry["message"]))
            check(expected, "browser console error: " + entry["message"])
        for url in self.requests:
            check(url.startswith(self.origin + "/") or url.startswith("data:") or url.startswith("blob:" + self.origin),
                  "a request left the server's origin: " + url)
        check(self.requests, "the performance log recorded no requests (the origin check would be vacuous)")

    def chart_drawn(self, root_css):
        return self.driver.execute_script("""
            const root = document.querySelector(arguments[0]);
            const canvas = root && root.querySelector('canvas');
            if (canvas) {
              if (!canvas.width || !canvas.height) return false;
              const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
              return false;
            }
            const svg = root && root.querySelector('svg');
            return !!svg && svg.querySelectorAll('path, rect, circle, line').length > 0;""", root_css)

    def table_values(self, root_css):
        """The table's rows as {column: JSON value}, in the order shown."""
        return self.driver.execute_script("""
            return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map((tr) => {
              const row = {};
              for (const td of tr.querySelectorAll('td')) row[td.dataset.column] = JSON.parse(td.dataset.value);
              return row;
            });""", root_css)

    def axe(self, what):
        with open(os.path.join(HERE, "vendor", "axe.min.js")) as f:
            self.driver.execute_script(f.read())
        result = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations.map(
              (v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target)}))),
              (e) => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));""")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        check(not bad, "axe-core on %s: %s" % (what, json.dumps(bad)))
        return result

    def quit(self):
        self.driver.quit()


def check_views(page, server):
    page.open("#overview")
    page.ready('[data-view="overview"]', "the overview")
    check(page.chart_drawn('[data-view="overview"]'), "the overview draws no chart")
    check(page.find('[data-audit="ok"]').is_displayed(), "the overview shows no verified chain")
    head = server.get_json("/v1/audit/verify")
    check(page.find('dd[data-field="events"]').text.replace("\u202f", "").replace(",", "").replace("\u00a0", "")
          == str(head["events"]), "the overview's event count is not the server's")
    page.shot("overview")
    page.axe("the overview")
    for name in VIEWS:
        page.go("#view/" + name)
        root = '[data-projection="%s"]' % name
        page.ready(root, "the %s view" % name)
        check(page.chart_drawn(root), "the %s view draws no chart" % name)
        served = server.get_json("/v1/projections/" + name)
        check(page.table_values(root) == served["rows"], "the %s table is not the served rows" % name)
        csv = page.find(root + " a.csv-link").get_attribute("href")
        check(csv == page.origin + "/v1/projections/%s?format=csv" % name, "unexpected CSV link " + csv)
        for link in page.finds(root + " a.csv-link"):
            content_type = server.get_headers(link.get_attribute("href")[len(page.origin):])["Content-Type"]
            check(content_type.startswith("text/csv"), "a CSV link answers " + content_type)
        page.shot("view-" + name)
    page.axe("the retention view")

    trip = server.get_json("/v1/projections/recruits-per-campaign")["rows"][0]
    page.go("#campaign/" + trip["campaign_id"])
    page.ready('[data-view="campaign"]', "the campaign drill-down")
    check(page.chart_drawn('[data-view="campaign"]'), "the campaign drill-down draws no chart")
    stream = server.get_json("/v1/streams/campaign-%s?limit=1000" % trip["campaign_id"])
    check(len(page.finds(".timeline li")) == len(stream["events"]), "the timeline is not the campaign's stream")
    page.shot("campaign")

    Select(page.find("#language")).select_by_value("sv")
    page.wait(lambda d: page.text('nav a[href="#overview"]') == "Översikt", "the Swedish texts")
    page.go("#overview")
    page.ready('[data-view="overview"]', "the Swedish overview")
    page.shot("overview-sv")
    Select(page.find("#language")).select_by_value("en")
    page.wait(lambda d: page.text('nav a[href="#overview"]') == "Overview", "the English texts")
    page.check_logs()


def check_filters_and_sorting(page):
    root = '[data-projection="recruits-per-campaign"]'
    page.go("#view/recruits-per-campaign")
    page.ready(root, "recruits-per-campaign")
    Select(page.find(root + ' select[name="kind"]')).select_by_value("recruitment_trip")
    page.wait(lambda d: page.finds(root + '[data-ready="true"]') and all(
        row["kind"] == "recruitment_trip" for row in page.table_values(root)), "the kind filter")
    check("kind=recruitment_trip" in page.find(root + " a.csv-link").get_attribute("href"),
          "the CSV link does not carry the filter")
    page.find(root + ' th button').click()  # sort by campaign_id, ascending
    ids = [row["campaign_id"] for row in page.table_values(root)]
    check(ids == sorted(ids), "sorting by campaign does not sort")
    Select(page.find(root + ' select[name="kind"]')).select_by_value("")
    page.ready(root, "recruits-per-campaign unfiltered")


def check_as_of(page, server):
    head = server.get_json("/v1/projections/funnel")["position"]
    past = head // 2
    root = '[data-projection="funnel"]'
    page.go("#view/funnel")
    page.ready(root, "the funnel")
    live_rows = page.table_values(root)
    Select(page.find("#as-of-mode")).select_by_value("position")
    page.find("#as-of-position").send_keys(str(past))
    page.find('#as-of button[type="submit"]').click()
    expected = server.get_json("/v1/projections/funnel?as_of_position=%d" % past)
    page.wait(lambda d: page.finds(root + '[data-ready="true"][data-position="%s"]' % expected["position"]),
              "the funnel as of position %d" % past)
    check(page.table_values(root) == expected["rows"], "the as-of funnel is not ?as_of_position=%d" % past)
    check(expected["rows"] != live_rows, "the demo ledger's past funnel equals the present (test is vacuous)")
    banner = page.find("#past-banner")
    check(banner.is_displayed() and str(past) in banner.text.replace("\u202f", "").replace(",", "").replace("\u00a0", ""),
          "the page is not marked as the past")
    check("past" in page.find("body").get_attribute("class"), "the body is not marked as the past")
    check(not page.finds('nav a[href="#record"]'), "the form is offered while showing the past")
    check("as_of_position=%d" % past in page.find(root + " a.csv-link").get_attribute("href"),
          "the CSV link does not carry as_of_position")
    page.shot("as-of")

    # By date: the end of a day before anything was recorded shows the empty ledger.
    Select(page.find("#as-of-mode")).select_by_value("date")
    page.driver.execute_script("document.getElementById('as-of-date').value = '2001-01-01'")
    page.find('#as-of button[type="submit"]').click()
    expected = server.get_json("/v1/projections/funnel?as_of=2001-01-01T23:59:59Z")
    page.wait(lambda d: page.finds(root + '[data-ready="true"][data-position=""]'), "the funnel as of 2001-01-01")
    check(page.table_values(root) == expected["rows"] == [], "the funnel as of 2001 is not empty")
    check("as_of=2001-01-01T23%3A59%3A59Z" in page.find(root + " a.csv-link").get_attribute("href"),
          "the CSV link does not carry as_of")
    Select(page.find("#as-of-mode")).select_by_value("now")
    page.find('#as-of button[type="submit"]').click()
    page.wait(lambda d: not page.find("#past-banner").is_displayed() and page.finds(root + '[data-ready="true"]')
              and page.table_values(root) == live_rows, "the funnel back in the present")


def fill(page, name, value):
    control = page.find('.form-field[data-field="%s"] [name]' % name)
    if control.tag_name == "select":
        Select(control).select_by_value(value)
    else:
        control.clear()
        control.send_keys(value)


def check_record_and_live(page, server):
    page.go("#record")
    page.ready('[data-view="record"]', "the record form")
    page.wait(lambda d: page.find("#live-state").get_attribute("data-state") == "live", "the live subscription")
    Select(page.find("#record-type")).select_by_value("CampaignPlanned")
    page.find('.form-field[data-field="@stream"] input').send_keys("browser-test-1")
    fill(page, "name", "Browser test trip to Lisbon")
    fill(page, "kind", "recruitment_trip")
    fill(page, "organiser", "region-kalmar")
    fill(page, "target_countries", "PT")
    page.axe("the record form")
    page.find('form.record button[type="submit"]').click()
    page.wait(lambda d: "ok" in page.find(".outcome").get_attribute("class"), "the append to succeed")
    page.wait(lambda d: page.finds('#live-events li[data-stream="campaign-browser-test-1"]'),
              "the live list to show the recorded event")
    stream = server.get_json("/v1/streams/campaign-browser-test-1")
    check(stream["events"][0]["data"]["name"] == "Browser test trip to Lisbon", "the stored event differs")
    page.shot("record")

    # A refusal at its field: an unknown country code is invalid_event with field data.country.
    Select(page.find("#record-type")).select_by_value("ShortageCheckRecorded")
    fill(page, "country", "XX")
    fill(page, "shortage", "false")
    page.find('form.record button[type="submit"]').click()
    field = '.form-field[data-field="country"]'
    page.wait(lambda d: page.finds(field + ".invalid") and page.text(field + " .field-error"),
              "the 422 at the country field")
    page.shot("record-422")

    # Live: an event appended by someone else shows up in the open view without a reload.
    root = '[data-projection="recruits-per-campaign"]'
    page.go("#view/recruits-per-campaign")
    page.ready(root, "recruits-per-campaign")
    status, _ = server.post_json("/v1/streams/campaign-browser-test-2/events", {
        "expected_version": "no_stream", "events": [{"type": "CampaignPlanned", "occurred_at": "2027-02-01", "data": {
            "name": "Live trip", "kind": "recruitment_trip", "organiser": "region-kalmar"}}]})
    check(status == 201, "the outside append failed")
    page.wait(lambda d: page.finds(root + ' td[data-column="campaign_id"][data-value=\'"browser-test-2"\']'),
              "the open view to show the campaign appended elsewhere")
    page.check_logs()


def check_reader(cli, daemon, data, workdir, screenshots):
    tokens = os.path.join(workdir, "tokens")
    reader = add_token(cli, tokens, "reader-1", "reader")
    writer = add_token(cli, tokens, "writer-1", "writer")
    server = Server(daemon, data, workdir, "with-tokens", ["--tokens", tokens])
    page = Page(server.origin, screenshots)
    try:
        page.open("#overview")
        page.wait(lambda d: page.finds('[data-view="signin"]'), "the sign-in form")
        check(not page.finds('nav a[href="#record"]'), "the form is offered before sign-in")
        page.shot("signin")
        page.find("#token").send_keys(reader)
        page.find('[data-view="signin"] button[type="submit"]').click()
        page.ready('[data-view="overview"]', "the overview for a reader")
        check(not page.finds('nav a[href="#record"]'), "a reader is offered the form")
        check(page.finds('nav a[href="#view/funnel"]'), "a reader sees no views")
        page.go("#record")
        page.ready('[data-view="overview"]', "the reader sent back to the overview")
        check(not page.finds("form.record"), "a reader reached the form")
        page.shot("reader-overview")
        page.find("#sign-out").click()
        page.wait(lambda d: page.finds('[data-view="signin"]'), "the sign-in form after signing out")
        page.find("#token").send_keys(writer)
        page.find('[data-view="signin"] button[type="submit"]').click()
        page.ready('[data-view="overview"]', "the overview for a writer")
        check(page.finds('nav a[href="#record"]'), "a writer is not offered the form")
        page.check_logs()
    finally:
        page.quit()
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--daemon", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--events", type=int, default=4000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="ledger-browser-")
    data = os.path.join(workdir, "data")
    server = page = None
    try:
        make_demo(args.cli, data, args.events)
        server = Server(args.daemon, data, workdir, "open")
        page = Page(server.origin, args.screenshots)
        for step in (lambda: check_views(page, server), lambda: check_filters_and_sorting(page),
                     lambda: check_as_of(page, server), lambda: check_record_and_live(page, server)):
            step()
            print("ok after %.1f s" % (time.monotonic() - started), flush=True)
        page.quit()
        page = None
        server.stop()
        server = None
        check_reader(args.cli, args.daemon, data, workdir, args.screenshots)
        print("all dashboard checks passed in %.1f s; screenshots in %s" % (time.monotonic() - started, args.screenshots))
        return 0
    except Failure as failure:
        print("FAIL: %s" % failure)
        return 1
    finally:
        if page:
            page.quit()
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
