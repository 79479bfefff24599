"""Course mode: who may use the app and whose progress a session reads, decided without streamlit.

In local mode (the default) a session picks a free-text profile, as on one student's
machine. In course mode every session logs in through OpenID Connect (st.login), and
its progress is keyed by the provider's subject claim, `sub:<subject>` — never by a name
a student could type, and never by a URL parameter. Teachers are named by e-mail;
only they see the Class page and the class-wide reads behind it.

Settings come from `.streamlit/secrets.toml`:

    [course]
    enabled = true                        # course mode: login required
    teachers = ["teacher@uni.example"]    # e-mails allowed on the Class page

or from the environment ($QUIZ_COURSE=1, $QUIZ_TEACHERS="a@x, b@y"), which wins.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from quizlib.errors import StoreError

SUBJECT_PREFIX = "sub:"


@dataclass(frozen=True)
class CourseSettings:
    enabled: bool = False                     # course mode: login required, progress keyed by subject
    teachers: frozenset[str] = frozenset()    # lower-case e-mails of the teachers


@dataclass(frozen=True)
class Identity:
    """A logged-in person as the provider vouches for them."""

    subject: str
    email: str = ""
    name: str = ""

    @property
    def profile(self) -> str:
        return SUBJECT_PREFIX + self.subject


def _truthy(v) -> bool:
    return v is True or str(v).strip().lower() in {"1", "true", "yes", "on"}


def settings_from(section: Mapping | None, env: Mapping[str, str]) -> CourseSettings:
    """CourseSettings from a `[course]` secrets section and the environment (which wins)."""
    section = dict(section or {})
    enabled = _truthy(env["QUIZ_COURSE"]) if env.get("QUIZ_COURSE") else _truthy(section.get("enabled", False))
    raw = env.get("QUIZ_TEACHERS")
    teachers = raw.split(",") if raw else section.get("teachers", [])
    if isinstance(teachers, str):
        teachers = teachers.split(",")
    return CourseSettings(enabled, frozenset(t.strip().lower() for t in teachers if str(t).strip()))


def identity_from(user: Mapping) -> Identity:
    """The Identity of an OIDC user (st.user); StoreError if the provider sent no subject."""
    sub = str(user.get("sub") or "").strip()
    if not sub:
        raise StoreError("The login provider sent no subject (sub) claim: cannot tell whose progress this is.")
    email = str(user.get("email") or "").strip()
    if user.get("email_verified") is False:  # an unverified address never makes a teacher
        email = ""
    return Identity(sub, email, str(user.get("name") or user.get("preferred_username") or email or sub))


def is_teacher(settings: CourseSettings, who: Identity | None) -> bool:
    return who is not None and bool(who.email) and who.email.lower() in settings.teachers
