"""Entry point: `streamlit run app.py`. The navigation, page config and sidebar are in
quizlib/ui/navigation.py; the page scripts in pages/quiz/, pages/labs/ and pages/teacher/.

pages/<url>.py are entry files for the very first request of a fresh server (see
quizlib/ui/navigation.py for why Streamlit needs them while a folder named pages/ sits here).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small NumPy work is fastest single-threaded here
os.environ.setdefault("OMP_NUM_THREADS", "1")

from quizlib.ui import navigation  # noqa: E402

navigation.run()
