"""Progress: accuracy and points by topic and source, attempts over time, cards due, weakest questions."""
import streamlit as st

from quizlib import source_names, stats
from quizlib.search import deep_link
from quizlib.ui import chart_text, common, study_charts

ctx = common.context()
st.title("Progress")
titles = {"": "All banks"} | {b.id: b.title for b in ctx.banks}
bank = st.selectbox("Bank", list(titles), format_func=titles.get, key="dash-bank") or None
df = stats.attempts_frame(ctx.store, ctx.profile, ctx.banks, bank=bank,
                          source_titles=source_names.catalogue_titles(common.content_dir()))

if df.empty:
    st.info(f"No answers yet for **{ctx.profile}**{' in this bank' if bank else ''}. Start on **Practice**: "
            "answer a few questions of a lecture, or sit a short **Mock exam**. Every answer shows up here, "
            "and the ones you miss come back on **Review**.")
    st.stop()

t = stats.totals(df)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Attempts", t["attempts"])
c2.metric("Questions tried", t["questions"])
c3.metric("Accuracy", f"{t['accuracy']:.0%}")
c4.metric("Points", f"{t['points']:g} / {t['possible']:g}")

topics, sources = stats.by_topic(df), stats.by_source(df)
left, right = st.columns(2)
with left:
    chart_text.show(study_charts.accuracy_by(topics, "topic", "Accuracy by topic"))
with right:
    chart_text.show(study_charts.points_by(topics, "topic", "Points by topic"))
left, right = st.columns(2)
with left:
    chart_text.show(study_charts.accuracy_by(sources, "source", "Accuracy by source"))
with right:
    chart_text.show(study_charts.points_by(sources, "source", "Points by source"))

left, right = st.columns(2)
with left:
    chart_text.show(study_charts.over_time(stats.over_time(df)))
in_bank = {q.id for b in ctx.banks for q in b.questions if not bank or b.id == bank}
ahead = stats.due_ahead(ctx.store, ctx.profile, common.now(), days=14, question_ids=in_bank)
with right:
    chart_text.show(study_charts.due_ahead(ahead))

st.subheader("Weakest questions")
weak = stats.weakest(df, n=10)
weak["open"] = weak["question_id"].map(deep_link)
st.dataframe(weak, hide_index=True, column_config={
    "open": st.column_config.LinkColumn("open", display_text="practise"),
    "recent_accuracy": st.column_config.ProgressColumn("recent accuracy", min_value=0.0, max_value=1.0,
                                                       format="percent"),
})
