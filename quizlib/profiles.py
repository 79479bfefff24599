"""The one rule for profile names, used by the sidebar, the backup import and the store.

A name someone types (local mode) is trimmed and must be 1..MAX_NAME characters with no
control characters (a newline or NUL in a key breaks URLs, CSV and the selector). A login's
key is `sub:<subject>` (quizlib.course), made by the app from the provider's subject claim,
which OpenID Connect caps at 255 ASCII characters: such a key may be that long.
"""
from __future__ import annotations

import unicodedata

from quizlib.errors import StoreError

MAX_NAME = 40          # characters of a typed profile name (the sidebar's box holds this many)
LOGIN_PREFIX = "sub:"  # as quizlib.course.SUBJECT_PREFIX (not imported: course imports the store's errors only)
MAX_SUBJECT = 255      # OpenID Connect Core 1.0 §2: `sub` is at most 255 ASCII characters


class ProfileNameError(StoreError):
    """A profile name that breaks the rule; the message says which part."""


def name_problem(text: object) -> str | None:
    """Why `text` is not a profile name (None if it is one, once trimmed)."""
    if not isinstance(text, str):
        return f"a profile name is text, not {type(text).__name__}"
    name = text.strip()
    if not name:
        return "a profile needs a name"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):  # controls, lone surrogates
        return "a profile name may not hold control characters"
    cap = len(LOGIN_PREFIX) + MAX_SUBJECT if name.startswith(LOGIN_PREFIX) else MAX_NAME
    if len(name) > cap:
        return f"a profile name has at most {cap} characters (this one has {len(name)})"
    return None


def clean_name(text: object) -> str:
    """`text` trimmed, if it is a valid profile name; ProfileNameError saying why not otherwise."""
    problem = name_problem(text)
    if problem is not None:
        raise ProfileNameError(problem[0].upper() + problem[1:] + ".")
    return str(text).strip()
