"""`python -m quizlib …`: the bank command line (see quizlib.cli)."""
import sys

from .cli import main

sys.exit(main())
