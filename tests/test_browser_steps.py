"""Real browser: a four-line derivation typed into a step-checked part, ✓ on every line and the
app's rubric ticks; line 3 broken, and the mark moves there; a line SymPy cannot decide within the
per-line limit (an integral it cannot do) is shown as not checked, not as wrong."""
from __future__ import annotations

import pytest
from test_browser_practice import count_at_least, css_key, open_question

from quizlib.bank import load_banks

QID = "st-sigmoid-ce"
SLOW = "= o − g + 0·integrate(exp(z^2) log(1+z^4), z, 0, g)"
STEPS = "∂L/∂z = ∂L/∂o · ∂o/∂z\n= (−g/o + (1−g)/(1−o)) · o(1−o)\n= −g(1−o) + (1−g)o\n= o − g"


@pytest.mark.browser
def test_four_lines_all_ticked_then_line_3_flagged(page):
    q = next(x for b in load_banks("content") for x in b.questions if x.id == QID)
    open_question(page, QID, q.title)
    box = page.locator(f"{css_key(QID, '_', 'text')} textarea")
    box.fill(STEPS)
    box.press("Control+Enter")  # a text area is committed by Ctrl+Enter (or blur)
    count_at_least(page, "✓ · line", 4)
    page.get_by_text("ends at the answer").first.wait_for()
    assert page.get_by_text("✗ · line").count() == 0
    count_at_least(page, "ticked by the app", 3)  # the page has finished drawing the rubric
    for i in range(3):  # σ′ = o(1 − o), ∂L/∂o, the final answer: each found by the app
        assert page.locator(f"{css_key(QID, '_', f'r{i}')} input").is_checked()
    box.fill(STEPS.replace("= −g(1−o) + (1−g)o", "= g(1−o) + (1−g)o"))
    box.press("Control+Enter")
    page.get_by_text("First wrong step: line 3").first.wait_for()
    assert page.get_by_text("✗ · line 3").count() == 1
    count_at_least(page, "✓ · line", 2)
    box.fill(STEPS + "\n" + SLOW)
    box.press("Control+Enter")
    page.get_by_text("Line 5 not checked").first.wait_for()
    count_at_least(page, "✓ · line", 4)
    assert page.get_by_text("✗ · line").count() == 0
