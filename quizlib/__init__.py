"""quizlib: the library behind the deep-learning exam trainer.

Importable and testable without a browser. Only `quizlib.ui` imports streamlit.
"""
