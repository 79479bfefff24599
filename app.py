"""Entry point: page config, navigation over the pages, and the shared sidebar.

Run with `streamlit run app.py`. Pages live in pages/ and are declared here (once
st.navigation is called, Streamlit does not auto-discover that folder).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small NumPy work is fastest single-threaded here
os.environ.setdefault("OMP_NUM_THREADS", "1")

import streamlit as st  # noqa: E402

from quizlib.ui.common import sidebar  # noqa: E402
from quizlib.ui.common import get_store  # noqa: E402
from quizlib.ui.course import teacher  # noqa: E402

st.set_page_config(page_title="DL Exam Trainer", page_icon="🧠", layout="wide")



def _start() -> None:
    """The default page `/` forwards to Practice, keeping the query (?q=…, ?profile=…).

    A page marked default is served only at `/`, so Practice itself must not be the
    default or `practice?q=<id>` deep links would be "page not found".
    """
    st.switch_page("pages/practice.py", query_params=st.query_params.to_dict())


PAGES = {
    "": [st.Page(_start, title="Start", default=True, visibility="hidden")],
    "Quiz": [
        st.Page("pages/practice.py", title="Practice", icon="✏️"),
        st.Page("pages/review.py", title="Review", icon="🔁"),
        st.Page("pages/exam.py", title="Mock exam", icon="⏱️"),
        st.Page("pages/dashboard.py", title="Progress", icon="📈"),
        st.Page("pages/search.py", title="Search", icon="🔎"),
        st.Page("pages/data.py", title="Export & backup", icon="💾"),
        st.Page("pages/banks.py", title="Banks", icon="📚"),
    ],
    "Labs": [
        st.Page("pages/lab_dropout.py", title="Dropout", icon="🎲"),
        st.Page("pages/lab_smoothing.py", title="Label smoothing", icon="🏷️"),
        st.Page("pages/lab_glorot.py", title="Glorot initialisation", icon="📏"),
        st.Page("pages/lab_weight_decay.py", title="L2 weight decay", icon="🪶"),
        st.Page("pages/lab_ce_mse.py", title="Cross-entropy vs MSE", icon="📉"),
        st.Page("pages/lab_batchnorm.py", title="Batch norm", icon="📊"),
    ],
}

if teacher(get_store()):  # course mode, a named teacher (logs in first; nobody else sees it)
    PAGES = {"Teacher": [st.Page("pages/class_view.py", title="Class", icon="🧑‍🏫")], **PAGES}  # first in the menu

page = st.navigation(PAGES)
sidebar()
page.run()
