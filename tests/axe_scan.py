"""axe-core scans of a live page for browser tests, and the violations Streamlit itself causes.

`axe-playwright-python` injects the axe.min.js it ships (axe-core 4.12) with `page.evaluate`;
nothing is fetched. `scan(page)` returns every serious or critical violation as a readable line,
except those in STREAMLIT_OWN: markup of Streamlit's own that the app cannot change, each
excused for one rule on elements matching one selector only (README, *Accessibility*, names them).
"""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

SERIOUS = ("serious", "critical")
STREAMLIT_OWN = (  # (axe rule, the CSS selector its violating elements match) — Streamlit 1.67.0
    # st.navigation with sections renders <ul><div><header/><li/>…</div></ul>: a <div> as the list's child
    ("list", 'ul[data-testid="stSidebarNavItems"]'),
    # … and so each of those <li> has the <div>, not a list, as its parent
    ("listitem", '[data-testid="stSidebarNavItems"] > div > li'),
)
_AXE = Axe()
_EXCUSE = """([target, selectors]) => {
    if (target.length !== 1 || typeof target[0] !== 'string') return -1;   // inside a frame or shadow root
    const el = document.querySelector(target[0]);
    return el ? selectors.findIndex(s => el.matches(s)) : -1;
}"""


def settle(page) -> None:
    """Wait until the script has run, every chart is drawn and the fonts are in (no sleeping).

    Streamlit mounts a chart's element only once its (lazily loaded) Vega code is in, after the run
    has finished; every chart of the app has a "Chart: …" caption (quizlib.ui.chart_text), which is
    plain Markdown, so there must be as many drawn charts as such captions on screen."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_function("""() => {
        const drawn = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
            .filter(c => c.querySelector('canvas, svg')).length;
        const captions = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .filter(c => c.checkVisibility() && c.innerText.startsWith('Chart: ')  // not in a closed tab,
                         && !c.innerText.endsWith('no data yet.')).length;               // nor a chart not drawn
        return document.fonts.status === 'loaded' && drawn >= captions;
    }""")


def scan(page, seen: set | None = None) -> list[str]:
    """Serious and critical violations on the page now, one line per element, Streamlit's own left out
    (the excuses that matched are added to `seen`)."""
    found = []
    for v in _AXE.run(page).response["violations"]:
        if v["impact"] not in SERIOUS:
            continue
        excuses = [(i, s) for i, (rule, s) in enumerate(STREAMLIT_OWN) if rule == v["id"]]
        for node in v["nodes"]:
            hit = page.evaluate(_EXCUSE, [node["target"], [s for _, s in excuses]]) if excuses else -1
            if hit >= 0:
                if seen is not None:
                    seen.add(excuses[hit][0])
                continue
            why = "; ".join(c["message"] for c in node.get("any", []) + node.get("all", []) + node.get("none", []))
            found.append(f"{v['id']} ({v['impact']}) at {node['target']}: {node['html'][:160]} — {why}")
    return found
