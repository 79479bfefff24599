"""The app's navigation (sections, titles, Material icons) and the run every request goes through.

Why the page scripts sit in subfolders and pages/<url>.py are one-line entry files: Streamlit 1.67
decides once per server process, when the first browser session is created, whether an app with a
folder named pages/ beside app.py is a "legacy" multipage app (`PagesManager.uses_pages_directory`).
It is, until some run calls `st.navigation`; so the very first run of a fresh server executes
`_mpa_v1`, which builds a navigation of app.py plus `pages/*.py` (top level only) and runs the page
whose file name matches the URL — skipping app.py — or, when none matches, shows "Page not found"
and runs app.py. The entry files pages/practice.py, pages/data.py … match every URL of this
navigation, and each one just calls `run()`: so that first run also builds the app's own
navigation, resolves the URL against it (no "Page not found", the query string kept) and renders
the real page from pages/quiz/, pages/labs/ or pages/teacher/, with the sidebar. `st.navigation`
then switches the legacy mode off for the process, and every later run starts at app.py.
tests/test_navigation.py keeps the entry files and the navigation's URLs equal.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from quizlib.ui.common import PRACTICE_PAGE as PRACTICE
from quizlib.ui.common import get_store, sidebar
from quizlib.ui.course import teacher


# shipped, not a `:material/…:` icon: Streamlit fetches those as the favicon from fonts.gstatic.com,
# which fails offline and is the app's only request to another host
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"


@dataclass(frozen=True)
class PageSpec:
    """One page of the menu: its script (relative to app.py), title and Material icon."""
    script: str
    title: str
    icon: str

    @property
    def url(self) -> str:
        """The URL path Streamlit gives a script page: its file name without `.py`."""
        return self.script.rsplit("/", 1)[-1].removesuffix(".py")


SECTIONS: dict[str, list[PageSpec]] = {
    "Quiz": [
        PageSpec(PRACTICE, "Practice", ":material/edit_note:"),
        PageSpec("pages/quiz/review.py", "Review", ":material/replay:"),
        PageSpec("pages/quiz/exam.py", "Mock exam", ":material/timer:"),
        PageSpec("pages/quiz/dashboard.py", "Progress", ":material/monitoring:"),
        PageSpec("pages/quiz/search.py", "Search", ":material/search:"),
        PageSpec("pages/quiz/data.py", "Export & backup", ":material/save:"),
        PageSpec("pages/quiz/banks.py", "Banks", ":material/library_books:"),
    ],
    "Labs": [
        PageSpec("pages/labs/lab_dropout.py", "Dropout", ":material/casino:"),
        PageSpec("pages/labs/lab_smoothing.py", "Label smoothing", ":material/label:"),
        PageSpec("pages/labs/lab_glorot.py", "Glorot initialisation", ":material/straighten:"),
        PageSpec("pages/labs/lab_weight_decay.py", "L2 weight decay", ":material/compress:"),
        PageSpec("pages/labs/lab_ce_mse.py", "Cross-entropy vs MSE", ":material/trending_down:"),
        PageSpec("pages/labs/lab_batchnorm.py", "Batch norm", ":material/bar_chart:"),
    ],
}
TEACHER = [PageSpec("pages/teacher/class_view.py", "Class", ":material/school:")]


def all_specs() -> list[PageSpec]:
    return [*TEACHER, *(s for specs in SECTIONS.values() for s in specs)]


def _start() -> None:
    """The default page `/` forwards to Practice, keeping the query (?q=…, ?profile=…).

    A page marked default is served only at `/`, so Practice itself must not be the
    default or `practice?q=<id>` deep links would be "page not found".
    """
    st.switch_page(PRACTICE, query_params=st.query_params.to_dict())


def _pages(sections: dict[str, list[PageSpec]]) -> dict[str, list]:
    return {name: [st.Page(s.script, title=s.title, icon=s.icon) for s in specs]
            for name, specs in sections.items()}


def run() -> None:
    """Page config, the navigation (Teacher first for a course's teacher), the sidebar, the page."""
    st.set_page_config(page_title="DL Exam Trainer", page_icon=str(FAVICON), layout="wide")
    sections = ({"Teacher": TEACHER} if teacher(get_store()) else {}) | SECTIONS
    pages = {"": [st.Page(_start, title="Start", default=True, visibility="hidden")], **_pages(sections)}
    page = st.navigation(pages)
    sidebar()
    page.run()
