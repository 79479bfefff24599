"""Pure logic of the lab pages: one module per lab, NumPy and quizlib only (no streamlit).

Each lab module takes a settings dataclass (validated with `ConfigError`), a seed or a
`numpy.random.Generator`, and returns plain arrays and pandas-ready rows that
`quizlib.ui.labs` draws. Same seed, same numbers.
"""
