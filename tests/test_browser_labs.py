"""Browser test of a live lab: Start trains in a self-rerunning fragment, Stop freezes it."""
import re
import time

import pytest

pytestmark = pytest.mark.browser


def _step_value(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="training step")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().strip())


def test_dropout_lab_trains_live_and_stops(page):
    page.goto(page.app_url + "/lab_dropout")
    page.get_by_role("button", name=re.compile("Start")).click()
    # the counter must advance on its own, tick after tick, with nobody touching the page
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.includes('training step') &&
                       parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText) >= 100)""",
        timeout=30_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    page.get_by_role("button", name=re.compile("Stop")).click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('button')].some(b => b.innerText.includes('Start') && !b.disabled)""")
    first = _step_value(page)
    time.sleep(2.0)  # several ticks' worth (0.3 s each): a still-running fragment would have moved on
    assert _step_value(page) == first
    assert first >= 100
