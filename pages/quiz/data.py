"""Export & backup: the banks as an Anki deck, attempts as CSV, a profile backup and its import."""
import streamlit as st

from quizlib import export
from quizlib.ui import backup, common, course

ctx = common.context()
st.title("Export & backup")
today = f"{common.now():%Y-%m-%d}"

st.subheader("Anki deck")
st.caption("Every question as an Anki note (prompt on the front; answer and model solution on the back). "
           "Importing a newer deck updates the notes you already have instead of adding copies.")
if ctx.banks:
    st.download_button("Download Anki deck (.apkg)", common.anki_deck(ctx.banks), file_name="dl-exam-trainer.apkg",
                       mime="application/octet-stream", key="dl-anki")
else:
    st.info("There are no question banks to export yet.")

st.subheader(f"Your attempts ({ctx.profile})")
st.download_button("Download attempts (.csv)", export.attempts_csv(ctx.store, ctx.profile),
                   file_name=f"attempts-{ctx.profile}-{today}.csv", mime="text/csv", key="dl-csv")

st.subheader("Backup")
st.caption("One file with this profile's attempts, review cards, bookmarks, exams and variants. Import it on "
           "another machine (or here again): rows already present are skipped, nothing is duplicated. "
           "A file with anything wrong is refused whole, with the list of what is wrong.")
st.download_button("Download backup (.json)", export.backup_json(ctx.store, ctx.profile, common.now()),
                   file_name=f"backup-{ctx.profile}-{today}.json", mime="application/json", key="dl-backup")

backup.import_form(ctx.store, ctx.profile, ctx.banks, common.now(),
                   fixed_target=course.course_settings().enabled)  # course mode: only into your own login
