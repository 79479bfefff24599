"""Entry point: `streamlit run app.py`. The navigation, page config and sidebar are in
quizlib/ui/navigation.py; the page scripts in pages/quiz/, pages/labs/ and pages/teacher/.

This file is read twice. `streamlit run` imports it as the module `app` and serves the `st.App`
below, whose lifespan warms the caches while the first browser is still loading
(quizlib/ui/startup.py); every browser session then runs it as the script (`__main__`), which
draws the page.

pages/<url>.py are entry files for the very first request of a fresh server (see
quizlib/ui/navigation.py for why Streamlit needs them while a folder named pages/ sits here).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small NumPy work is fastest single-threaded here
os.environ.setdefault("OMP_NUM_THREADS", "1")

if __name__ == "__main__":  # a browser session's run of the script
    from quizlib.ui import navigation

    navigation.run()
else:  # `streamlit run app.py` finds `app` and serves it
    import streamlit as st

    from quizlib.ui.startup import lifespan

    app = st.App(__file__, lifespan=lifespan)
