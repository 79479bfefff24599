"""What every page shares: the sidebar (profile, cards due), the cached store and banks, the clock.

Pages read the store, the profile and the banks through `context()` (page tests replace it
with fixtures) and the time through `now()`.

The store is cached per database (`st.cache_resource`): $QUIZ_DB_URL, a `[connections.quiz]`
secret, or the SQLite path of $QUIZ_DB, so a test that points $QUIZ_DB elsewhere gets its own store. The banks are cached per content folder and per
the files' modification times, so an edited bank shows up on the next rerun without a
restart (and across restarts on disk, by content and code version: `quizlib.bank.cache`). The content folder is `<repo>/content`, or $QUIZ_CONTENT when set (tests use it
to show a broken bank).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from quizlib import profiles
from quizlib.model import Bank
from quizlib.store import Store, default_db_path, default_db_url, url_from_settings
from quizlib.ui.course import account_box, identity

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = "default"
NEW_PROFILE = "New profile…"  # plain text: a selectbox option draws no icon, and emoji may be boxes
PRACTICE_PAGE = "pages/quiz/practice.py"  # the script of the Practice page (quizlib/ui/navigation.py)


@dataclass(frozen=True)
class Context:
    """What a page works on: the store, the session's profile and the banks."""

    store: Store
    profile: str
    banks: list[Bank]


def context() -> Context:
    """The store, the current profile and the banks, as the sidebar has them."""
    return Context(get_store(), current_profile(), list(get_banks()))


def now() -> datetime:
    """The time of this run (UTC); quizlib outside ui/ takes it as a parameter."""
    return datetime.now(timezone.utc)


def content_dir() -> Path:
    return Path(os.environ.get("QUIZ_CONTENT") or ROOT / "content")


@st.cache_resource(show_spinner=False)
def _store(where: str) -> Store:
    return Store(where)


def db_location() -> str:
    """$QUIZ_DB_URL, else the `[connections.quiz]` section of .streamlit/secrets.toml (Streamlit's
    st.connection convention: `url = "postgresql+psycopg://…"`), else the SQLite path of $QUIZ_DB."""
    url = default_db_url()
    if url:
        return url
    if st.secrets.load_if_toml_exists() and "quiz" in st.secrets.get("connections", {}):
        return url_from_settings(dict(st.secrets["connections"]["quiz"]))
    return str(default_db_path())


def get_store() -> Store:
    """The progress store (see db_location), one per database per server process."""
    return _store(db_location())


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """(name, mtime, size) of every file under the content folder: a change invalidates the cache."""
    if not folder.is_dir():
        return ()
    out = []
    for p in sorted(folder.rglob("*.md")):
        try:
            s = p.stat()
        except OSError:  # deleted between listing and stat
            continue
        out.append((str(p.relative_to(folder)), s.st_mtime_ns, s.st_size))
    return tuple(out)


# cache_resource, not cache_data: cache_data unpickles a fresh copy of all banks on every rerun
# (~0.06 s CPU for 251 questions); the banks are frozen dataclasses in a tuple, safe to share
@st.cache_resource(show_spinner="Loading the question banks…", max_entries=8)
def _banks(path: str, fingerprint: tuple) -> tuple[Bank, ...]:
    from quizlib.bank import load_banks

    return tuple(load_banks(path))


def get_banks() -> list[Bank]:
    """Every bank of the content folder (broken ones included, with their problems)."""
    folder = content_dir()
    banks = list(_banks(str(folder), _fingerprint(folder)))
    _warm_checker()
    return banks


def warm_caches() -> None:
    """Fill the bank and store caches outside a session (quizlib/ui/startup.py, at server start).
    Unlike get_banks it does not start the SymPy import: that waits for the first page."""
    folder = content_dir()
    _banks(str(folder), _fingerprint(folder))
    get_store()


_warming: list[threading.Timer] = []


def _warm_checker() -> None:
    """Import SymPy in the background once per process, a moment after the first page asked for the
    banks: the banks come from their cache without SymPy, and the page should be drawn before the
    ~1.5 s import competes with it for the interpreter; the first answer echo then need not wait."""
    if not _warming:
        from quizlib.answers import warm_up

        _warming.append(threading.Timer(1.0, warm_up))
        _warming[0].daemon = True
        _warming[0].start()


def practice_link(qid: str, label: str, where=None, icon: str | None = None) -> None:
    """A link to the question on the Practice page that stays in this session (so keeps the profile).

    Outside the app's navigation (a page run on its own, as in page tests) st.page_link cannot
    resolve the page; a plain Markdown deep link stands in.
    """
    from streamlit.errors import StreamlitAPIException

    from quizlib.search import deep_link

    where = where or st
    try:
        where.page_link(PRACTICE_PAGE, label=label, query_params={"q": qid}, icon=icon)
    except StreamlitAPIException:
        where.markdown(f"[{label}]({deep_link(qid)})")


def current_profile() -> str:
    """The session's profile. Course mode: the login's subject, whatever the URL or session say.
    Local mode: a new session (a reload, a shared link) takes `?profile=` from the URL."""
    who = identity(get_store())
    if who is not None:
        return who.profile
    if "profile" not in st.session_state and st.query_params.get("profile"):
        asked = st.query_params["profile"]
        if profiles.name_problem(asked) is None:  # a link with a name the rule refuses opens `default`
            st.session_state["profile"] = profiles.clean_name(asked)
    return st.session_state.get("profile") or DEFAULT_PROFILE


def follow_profile(key: str, profile: str) -> None:
    """A text field that defaults to the current profile shows the new one after a switch, and
    keeps what the student typed while the profile stays (set before the widget is drawn)."""
    if st.session_state.get(f"{key}:profile") != profile:
        st.session_state[key] = st.session_state[f"{key}:profile"] = profile


PICKER, NEW_NAME = "sidebar:profile", "sidebar:new-profile"


def _picked() -> None:
    """The selector changed: a profile is current at once (before any page of this run reads it)."""
    if st.session_state[PICKER] != NEW_PROFILE:
        st.session_state["profile"] = st.session_state[PICKER]


def _created(store: Store) -> None:
    """A new name was typed: create the profile, make it current, show it in the selector, empty the box."""
    name = st.session_state.get(NEW_NAME, "")
    problem = profiles.name_problem(name) if name.strip() else None
    st.session_state[NEW_NAME + ":problem"] = problem  # shown under the box, whose text stays
    if problem or not name.strip():
        return
    name = profiles.clean_name(name)
    store.add_profile(name, now())
    st.session_state["profile"] = st.session_state[PICKER] = name
    st.session_state[NEW_NAME] = ""


def _choose_profile(store: Store) -> None:
    """The selector always shows the current profile: its state is set from the session's profile
    before it is drawn (callbacks change the profile first, so a pick is never overwritten)."""
    current = current_profile()
    options = sorted(set(store.profiles()) | {current, DEFAULT_PROFILE}) + [NEW_PROFILE]
    if st.session_state.get(PICKER) != NEW_PROFILE:
        st.session_state[PICKER] = current
    st.selectbox("Profile", options, key=PICKER, on_change=_picked,
                 help="Whose progress this is. No login: pick your name or type a new one.")
    if st.session_state[PICKER] == NEW_PROFILE:
        st.text_input("New profile name", key=NEW_NAME, max_chars=profiles.MAX_NAME, on_change=_created,
                      args=(store,), help="Type a name and press Enter.")
        problem = st.session_state.get(NEW_NAME + ":problem")
        if problem:
            st.error(problem[0].upper() + problem[1:] + ".")


def unreadable_note(store: Store, profile: str) -> None:
    """One warning for the stored rows of `profile` that cannot be read (they are left out everywhere).

    The whole profile is read once per session and profile (Store.dump_profile notes every bad
    row), so the warning shows from the first page on, not only after the page that reads them."""
    seen = st.session_state.setdefault("sidebar:rows-checked", set())
    if profile not in seen:
        store.dump_profile(profile)
        seen.add(profile)
    bad = store.unreadable(profile)
    if bad:
        st.warning(f"{len(bad)} stored row(s) of this profile cannot be read and are left out "
                   "(pages, Progress and backups skip them).")
        with st.expander("Which rows"):
            st.code("\n".join(bad), language=None)


def sidebar() -> None:
    """Profile picker, cards due for review, and a word on deep links."""
    from quizlib import progress

    store = get_store()
    with st.sidebar:
        who = identity(store)
        if who is not None:  # course mode: no picker, no ?profile= — the login decides
            account_box(who)
            st.metric("Cards due for review", progress.due_count(store, who.profile, now()))
            unreadable_note(store, who.profile)
            return
        _choose_profile(store)
        if current_profile() != DEFAULT_PROFILE:  # a reload keeps whose progress it is
            st.query_params["profile"] = current_profile()
        elif "profile" in st.query_params:
            del st.query_params["profile"]
        due = progress.due_count(store, current_profile(), now())
        st.metric("Cards due for review", due)
        unreadable_note(store, current_profile())
        st.caption("Open any question directly with `practice?q=<question id>`; "
                   "the Search page gives these links.")


@st.cache_data(show_spinner="Building the Anki deck…")
def anki_deck(banks: list[Bank]) -> bytes:
    """The .apkg of the banks, built once per set of banks."""
    from quizlib.export import anki_bytes

    return anki_bytes(banks)
