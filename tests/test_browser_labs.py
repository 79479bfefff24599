"""Browser tests of a live lab: Start trains in a self-rerunning fragment, Stop freezes it; a running lab
refreshes at least 5 times a second; a setting changed mid-run keeps the run and offers Reset."""
import re
import time

import pytest

pytestmark = pytest.mark.browser

STEP_JS = """() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                       .find(m => m.innerText.includes('training step'));
                     return m ? parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) : null; }"""
# Counts the fragment's reruns as changes of the step counter's text (each tick adds steps), in the page:
# this is the rate the student sees, and it does not depend on how fast this test process polls.
COUNT_JS = """() => { window.__labTicks = 0; window.__labStart = performance.now();
  const read = """ + STEP_JS + """; let last = read();
  window.__labObserver = new MutationObserver(() => { const v = read(); if (v !== last) { last = v; window.__labTicks++; } });
  window.__labObserver.observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
WINDOW_S = 10


def _step_value(page) -> int:
    return page.evaluate(STEP_JS)


def _wait_steps(page, at_least: int, timeout: int = 30_000) -> None:
    page.wait_for_function(f"() => ({STEP_JS})() >= {at_least}", timeout=timeout)


def _refreshes_per_second(page) -> float:
    page.evaluate(COUNT_JS)
    page.wait_for_function(f"() => performance.now() - window.__labStart >= {WINDOW_S * 1000}",
                           timeout=(WINDOW_S + 20) * 1000, polling=200)
    ticks, seconds = page.evaluate("() => { window.__labObserver.disconnect(); "
                                   "return [window.__labTicks, (performance.now() - window.__labStart) / 1000]; }")
    return ticks / seconds


def test_dropout_lab_trains_live_and_stops(page):
    page.goto(page.app_url + "/lab_dropout")
    page.get_by_role("button", name=re.compile("Start")).click()
    # the counter must advance on its own, tick after tick, with nobody touching the page
    _wait_steps(page, 100)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    page.get_by_role("button", name=re.compile("Stop")).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Start') && !b.disabled)""")
    first = _step_value(page)
    time.sleep(1.0)  # twenty ticks' worth (0.05 s each): a still-running fragment would have moved on
    assert _step_value(page) == first
    assert first >= 100


@pytest.mark.serial  # a rate: not while another test worker takes the other core
def test_running_lab_refreshes_five_times_a_second_and_answers_clicks(page):
    page.goto(page.app_url + "/lab_batchnorm")
    page.get_by_role("button", name=re.compile("Start")).click()
    _wait_steps(page, 20)
    charts = page.evaluate("""() => { const c = [...document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas')];
                                      c.forEach(x => x.__labTag = 1); return c.length; }""")
    rates = [_refreshes_per_second(page)]
    if rates[0] < 5:  # one more window: a burst of load from elsewhere on a shared machine is not the lab
        rates.append(_refreshes_per_second(page))
    assert max(rates) >= 5, f"refreshes per second over {WINDOW_S} s windows: {rates}"
    # the live charts were updated in place, not rebuilt: the same canvases are still on the page
    kept = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas')]
                                  .filter(x => x.__labTag).length""")
    assert charts >= 2 and kept == charts
    # …and the page still answers a click at once
    t = time.monotonic()
    page.get_by_role("button", name=re.compile("Stop")).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Start') && !b.disabled)""",
        timeout=5_000)
    assert time.monotonic() - t < 5


def test_setting_changed_mid_run_keeps_the_run_and_offers_reset(page):
    page.goto(page.app_url + "/lab_batchnorm")
    page.get_by_role("button", name=re.compile("Start")).click()
    _wait_steps(page, 30)
    seed = page.get_by_label("seed")
    seed.fill("3")
    seed.press("Enter")
    page.get_by_text("Cannot change mid-run").wait_for()
    before = _step_value(page)
    assert before >= 30  # not thrown away
    _wait_steps(page, before + 20)  # and still training, with the old seed
    page.get_by_role("button", name=re.compile("Reset and start again")).click()
    page.wait_for_function(f"() => ({STEP_JS})() === 0 && !document.body.innerText.includes('Cannot change mid-run')")
    assert page.get_by_label("seed").input_value() == "3"
