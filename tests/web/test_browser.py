"""A real browser: Debian's chromium, headless, driven by Selenium with the system chromedriver (nothing is
downloaded). ``labreview serve`` runs as a real process on a copy of the sample where the 2026-Q4 session is started
and a ballot is open on its current item. Eight board members open their personal links one after another and score
the five criteria by clicking; the facilitator reveals through the service layer; the pages still open show the
revealed scores live (server-sent events), without a reload, and the browser reports no Content-Security-Policy
violation of our own page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from labreview.domain.vocabulary import Criterion
from tests.web.conftest import QUARTER

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs chromium and chromium-driver)")
    pytest.skip(reason)


def _chromium(*, javascript: bool = True):
    _need(os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), "chromium or chromedriver is not installed")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover
        _need(False, "selenium is not installed")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never downloads anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1200,2400", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    return browser


@pytest.fixture
def driver():
    browser = _chromium()
    yield browser
    browser.quit()


@pytest.fixture
def driver_without_javascript():
    browser = _chromium(javascript=False)
    yield browser
    browser.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def meeting_served(sample_target):
    """The sample's 2026-Q4 session started, a ballot open on its current item, a link for each board member,
    and ``labreview serve`` on it."""
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(sample_target)
    try:
        view = portfolio.start_session(QUARTER)
        key = view.current_key
        portfolio.open_ballot(QUARTER, key)
        board = [p.name for p in view.attendees if p.role is not None]
        links = {name: portfolio.issue_seat_link(QUARTER, name).token for name in board}
    finally:
        portfolio.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "labreview", "serve", "--db", str(sample_target), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"},
    )
    line = process.stdout.readline()
    assert "serving personal links at" in line, line + (process.stderr.read() if process.poll() is not None else "")
    served = {"base": f"http://127.0.0.1:{port}", "key": key, "links": links, "target": sample_target}
    yield served
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    for token in links.values():
        assert token not in out and token not in err, "a personal link reached the server's output"


def wait_for(predicate, timeout=15.0, what="the page"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # a part swapped in meanwhile (stale element): look again
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def click_score(driver, criterion: str, value: int) -> None:
    from selenium.webdriver.common.by import By

    def clicked():
        driver.find_element(By.CSS_SELECTOR, f'input[name="{criterion}"][value="{value}"]').click()
        return True

    wait_for(clicked, what=f"the {criterion} radio")


def chosen(driver) -> dict[str, int]:
    return driver.execute_script(
        "const out = {}; for (const i of document.querySelectorAll('#ballot-form input:checked'))"
        " out[i.name] = Number(i.value); return out;"
    )


def text_of(driver, selector: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector).text


def csp_problems(driver) -> list[str]:
    try:
        entries = driver.get_log("browser")
    except Exception:  # pragma: no cover - a driver without the log
        return []
    return [e["message"] for e in entries if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def test_eight_members_score_in_a_real_browser_see_the_reveal_and_the_decision_live(driver, meeting_served):
    from selenium.webdriver.common.by import By

    base, key, links = meeting_served["base"], meeting_served["key"], meeting_served["links"]
    names = list(links)
    assert len(names) == 8
    criteria = [c.value for c in Criterion]
    votes = {name: {c: (i + j) % 5 + 1 for j, c in enumerate(criteria)} for i, name in enumerate(names)}
    problems: list[str] = []

    first_tab = None
    for i, name in enumerate(names):
        driver.get(f"{base}/s/{links[name]}")
        if first_tab is None:
            first_tab = driver.current_window_handle
        wait_for(lambda: driver.execute_script("return document.body.dataset.live") == "yes", what="the live stream")
        assert name in text_of(driver, ".who")
        assert driver.find_elements(By.CSS_SELECTOR, "table.sheet") == []
        for criterion, value in votes[name].items():
            click_score(driver, criterion, value)
        wait_for(lambda i=i: f"{i + 1} of 8 have scored" in text_of(driver, "#ballot .progress"), what="the count")
        assert chosen(driver) == votes[name]  # the page kept every click through the live swaps
        problems += csp_problems(driver)
        if i == 0:  # the first member's page stays open in a tab of its own
            driver.switch_to.new_window("tab")

    # The last member's page is open in this tab, the first member's in the first: mark both, then reveal.
    last_tab = driver.current_window_handle
    for tab in (first_tab, last_tab):
        driver.switch_to.window(tab)
        if tab == first_tab:
            driver.get(f"{base}/s/{links[names[0]]}")
            wait_for(lambda: driver.execute_script("return document.body.dataset.live") == "yes", what="the stream")
            wait_for(lambda: "8 of 8 have scored" in text_of(driver, "#ballot .progress"), what="all scored")
            assert chosen(driver) == votes[names[0]]
        driver.execute_script("window.notReloaded = true;")

    from labreview.portfolio import Portfolio

    facilitator = Portfolio.open(meeting_served["target"])
    try:
        sheet = facilitator.reveal_ballot(QUARTER, key)
        assert len([r for r in sheet.reviewers if any(sheet.score(r.id, c) for c in Criterion)]) == 8
        for person in sheet.reviewers:
            if person.name in votes:
                assert {c.value: sheet.score(person.id, c) for c in Criterion} == votes[person.name]
    finally:
        facilitator.close()

    for tab in (last_tab, first_tab):
        driver.switch_to.window(tab)
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "table.sheet"), what="the revealed scores")
        assert driver.execute_script("return window.notReloaded === true")  # live, not a reload
        assert "scores revealed" in text_of(driver, "#ballot .progress")
        table = text_of(driver, "table.sheet")
        for name in names:
            assert name in table
        assert driver.find_elements(By.CSS_SELECTOR, "#ballot-form") == []
        problems += csp_problems(driver)

    # The board decides the item: the decision reaches the open pages live too.
    import datetime as dt

    facilitator = Portfolio.open(meeting_served["target"])
    try:
        decided = facilitator.record_decision(
            QUARTER,
            key,
            "iterate",
            rationale="Scores split on outcome impact: one more cycle",
            next_review=facilitator.today() + dt.timedelta(days=91),
            signed_off_by=facilitator.sign_off(QUARTER, key, "iterate").eligible[0].id,  # the sample's rights
        )
    finally:
        facilitator.close()
    for tab in (last_tab, first_tab):
        driver.switch_to.window(tab)
        wait_for(lambda: "one more cycle" in text_of(driver, "#outcomes"), what="the decision")
        assert "iterate" in text_of(driver, "#outcomes").lower() and decided.key in text_of(driver, "#outcomes")
        assert driver.execute_script("return window.notReloaded === true")
    assert problems == []


def test_the_ballot_works_without_javascript(driver_without_javascript, meeting_served):
    from selenium.webdriver.common.by import By

    driver = driver_without_javascript
    base, links = meeting_served["base"], meeting_served["links"]
    name = next(iter(links))
    driver.get(f"{base}/s/{links[name]}")
    votes = {c.value: (i % 5) + 1 for i, c in enumerate(Criterion)}
    for criterion, value in votes.items():
        driver.find_element(By.CSS_SELECTOR, f'input[name="{criterion}"][value="{value}"]').click()
    driver.find_element(By.CSS_SELECTOR, "#ballot-form button[type=submit]").click()
    wait_for(lambda: "Your scores are saved." in driver.page_source, what="the saved page")
    assert driver.current_url.endswith("?saved=1")
    assert "1 of 8 have scored" in text_of(driver, "#ballot .progress")
    for criterion, value in votes.items():
        radio = driver.find_element(By.CSS_SELECTOR, f'input[name="{criterion}"][value="{value}"]')
        assert radio.is_selected()
    assert csp_problems(driver) == []
