"""/lab_glorot on a fresh server's first request: Streamlit runs pages/<url>.py without app.py,
so this file runs the app's navigation (quizlib/ui/navigation.py explains why)."""
from quizlib.ui import navigation

navigation.run()
