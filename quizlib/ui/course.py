"""Course mode in the UI: the login screen, the signed-in identity, and the teacher's gate.

The rules live in quizlib.course; this module reads them from `.streamlit/secrets.toml`
and the environment, asks Streamlit's own auth (st.login / st.user / st.logout, OpenID
Connect through Authlib, configured in the `[auth]` section) who is there, and records
the provider's name and e-mail with the profile once per session.
"""
from __future__ import annotations

import os

import streamlit as st

from quizlib.course import CourseSettings, Identity, identity_from, is_teacher, settings_from
from quizlib.errors import StoreError


def course_settings() -> CourseSettings:
    section = st.secrets.get("course") if st.secrets.load_if_toml_exists() else None
    return settings_from(section, os.environ)


def current_user() -> dict | None:
    """The provider's claims of the logged-in user (st.user), or None when nobody is logged in."""
    return dict(st.user) if st.user.is_logged_in else None


def login_screen() -> None:
    st.title("DL Exam Trainer")
    st.info("This course server keeps each student's progress under their own login. "
            "Log in to practise; your answers, review cards and mock exams are yours alone.")
    st.button("Log in", type="primary", on_click=st.login, key="course:login")


def identity(store) -> Identity | None:
    """Local mode: None. Course mode: who is logged in; nobody → the login screen, and the page stops."""
    if not course_settings().enabled:
        return None
    user = current_user()
    if user is None:
        login_screen()
        st.stop()
    try:
        who = identity_from(user)
    except StoreError as e:
        st.error(str(e))
        st.stop()
    if st.session_state.get("course:identity") != who:  # once per session: who this profile is
        store.set_identity(who.profile, who.name, who.email)
        st.session_state["course:identity"] = who
    return who


def teacher(store) -> bool:
    return is_teacher(course_settings(), identity(store))


def require_teacher(store) -> Identity:
    """Stop the page for anyone who is not a named teacher (local mode has no teachers)."""
    settings = course_settings()
    who = identity(store)
    if not is_teacher(settings, who):
        st.title("Class")
        st.error("The Class page is for the course's teachers only." if settings.enabled else
                 "The Class page belongs to course mode (login and named teachers); see README, *Course server*.")
        st.stop()
    return who


def account_box(who: Identity) -> None:
    """The sidebar's line on who is signed in, with a Log out button."""
    st.markdown(f"Signed in as **{who.name}**" + (f"  \n`{who.email}`" if who.email and who.email != who.name else ""))
    st.button("Log out", on_click=st.logout, key="course:logout")
