"""What every page shares: the sidebar (profile, cards due), the cached store and the cached banks.

The store is cached per database (`st.cache_resource`): $QUIZ_DB_URL, a `[connections.quiz]`
secret, or the SQLite path of $QUIZ_DB, so a test that points $QUIZ_DB elsewhere gets its own store. The banks are cached per content folder and per
the files' modification times, so an edited bank shows up on the next rerun without a
restart. The content folder is `<repo>/content`, or $QUIZ_CONTENT when set (tests use it
to show a broken bank).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from quizlib import profiles
from quizlib.model import Bank
from quizlib.store import Store, default_db_path, default_db_url, url_from_settings
from quizlib.ui.course import account_box, identity

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = "default"
NEW_PROFILE = "➕ New profile…"


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


@st.cache_data(show_spinner="Loading the question banks…", max_entries=8)
def _banks(path: str, fingerprint: tuple) -> list[Bank]:
    from quizlib.bank import load_banks

    return load_banks(path)


def get_banks() -> list[Bank]:
    """Every bank of the content folder (broken ones included, with their problems)."""
    folder = content_dir()
    return _banks(str(folder), _fingerprint(folder))


def practice_link(qid: str, label: str, where=None) -> None:
    """A link to the question on the Practice page that stays in this session (so keeps the profile).

    Outside the app's navigation (a page run on its own, as in page tests) st.page_link cannot
    resolve the page; a plain Markdown deep link stands in.
    """
    from streamlit.errors import StreamlitAPIException

    where = where or st
    try:
        where.page_link("pages/practice.py", label=label, query_params={"q": qid})
    except StreamlitAPIException:
        where.markdown(f"[{label}](practice?q={qid})")


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


def _choose_profile(store: Store) -> None:
    known = store.profiles()
    current = current_profile()
    options = sorted(set(known) | {current, DEFAULT_PROFILE}) + [NEW_PROFILE]
    picked = st.selectbox("Profile", options, index=options.index(current), key="sidebar:profile",
                          help="Whose progress this is. No login: pick your name or type a new one.")
    if picked == NEW_PROFILE:
        name = st.text_input("New profile name", key="sidebar:new-profile", max_chars=profiles.MAX_NAME)
        problem = profiles.name_problem(name) if name.strip() else None
        if problem:
            st.error(problem[0].upper() + problem[1:] + ".")
        elif name.strip():
            name = profiles.clean_name(name)
            store.add_profile(name, datetime.now(timezone.utc))
            st.session_state["profile"] = name
            st.session_state.pop("sidebar:profile", None)  # the selector shows the new name next run
            st.rerun()
    elif picked != current:
        st.session_state["profile"] = picked
        st.rerun()


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
            st.metric("Cards due for review", progress.due_count(store, who.profile, datetime.now(timezone.utc)))
            unreadable_note(store, who.profile)
            return
        _choose_profile(store)
        if current_profile() != DEFAULT_PROFILE:  # a reload keeps whose progress it is
            st.query_params["profile"] = current_profile()
        elif "profile" in st.query_params:
            del st.query_params["profile"]
        due = progress.due_count(store, current_profile(), datetime.now(timezone.utc))
        st.metric("Cards due for review", due)
        unreadable_note(store, current_profile())
        st.caption("Open any question directly with `practice?q=<question id>`; "
                   "the Search page gives these links.")
