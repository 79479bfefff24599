"""`python -m quizlib …`: the bank command line (see quizlib.cli)."""
import sys

from quizlib.cli import main

sys.exit(main())
