"""Course-mode rules: settings from secrets and environment, identity from the provider's claims,
who is a teacher, who may read whose progress."""
from __future__ import annotations

import pytest

from quizlib.course import CourseSettings, identity_from, is_teacher, settings_from
from quizlib.errors import StoreError


def test_settings_from_secrets_and_environment():
    assert settings_from(None, {}) == CourseSettings(False, frozenset())
    s = settings_from({"enabled": True, "teachers": ["T@Uni.example ", ""]}, {})
    assert s == CourseSettings(True, frozenset({"t@uni.example"}))
    assert settings_from({"enabled": True}, {"QUIZ_COURSE": "0"}).enabled is False
    assert settings_from({}, {"QUIZ_COURSE": "yes", "QUIZ_TEACHERS": "a@x, B@y"}) == \
        CourseSettings(True, frozenset({"a@x", "b@y"}))
    assert settings_from({"enabled": "false"}, {}).enabled is False


def test_identity_keys_progress_by_subject_not_name():
    who = identity_from({"sub": "u-17", "email": "ana@uni.example", "name": "default"})
    assert who.profile == "sub:u-17" and who.name == "default"
    assert identity_from({"sub": "u-18"}).name == "u-18"
    with pytest.raises(StoreError, match="subject"):
        identity_from({"email": "x@y"})


def test_teachers_by_verified_email_only():
    s = CourseSettings(True, frozenset({"teach@uni.example"}))
    assert is_teacher(s, identity_from({"sub": "t", "email": "Teach@uni.example"}))
    assert not is_teacher(s, identity_from({"sub": "t", "email": "teach@uni.example", "email_verified": False}))
    assert not is_teacher(s, identity_from({"sub": "teach@uni.example"}))  # a subject is not an e-mail
    assert not is_teacher(s, None)
