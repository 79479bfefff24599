"""The backup import on the Export & backup page: the form, and what it says afterwards.

A refused file gets one error listing every problem (quizlib.backup_check), shown as plain
text: a problem quotes the file's own values, which must not render as Markdown or maths.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from quizlib import export, profiles
from quizlib.errors import StoreError
from quizlib.model import Bank
from quizlib.store import Store
from quizlib.ui.common import follow_profile


def import_form(store: Store, profile: str, banks: list[Bank], now: datetime, fixed_target: bool) -> None:
    """Upload, the profile to import into (unless `fixed_target`: course mode), Import, and the outcome."""
    upload = st.file_uploader("Import a backup", type=["json"], key="up-backup")
    follow_profile("up-profile", profile)  # after a switch in the sidebar the field shows the new profile
    target = profile if fixed_target else st.text_input(
        "Into profile", key="up-profile", max_chars=profiles.MAX_NAME,
        help="Another profile's name brings every row of the backup into that profile.")
    if upload is None or not st.button("Import", type="primary", key="up-import"):
        return
    known = {q.id for b in banks for q in b.questions}
    try:
        result = export.import_backup(store, upload.getvalue(), now, profile=target.strip() or profile,
                                      known_questions=known)
    except StoreError as e:
        problems = getattr(e, "problems", None) or [str(e)]
        st.error(f"Nothing was imported and nothing was written: {len(problems)} problem(s), listed below.")
        st.code(str(e), language=None)
        return
    rows = [{"table": t, **n} for t, n in result["tables"].items()]
    st.success(f"Imported into **{result['profile']}**: {sum(r['added'] for r in rows)} row(s) added, "
               f"{sum(r['skipped'] for r in rows)} already there and skipped.")
    st.dataframe(rows, hide_index=True)
    if result["unknown_questions"]:
        ids = result["unknown_questions"]
        st.info(f"{len(ids)} question id(s) of this backup are not in the banks here; their rows were imported "
                "all the same and count again once a bank with these ids is loaded.")
        st.code(", ".join(ids[:50]) + (" …" if len(ids) > 50 else ""), language=None)
