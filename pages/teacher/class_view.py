"""Class (teachers only): item statistics per question, students' progress, mock exam scores."""
import streamlit as st

from quizlib import class_report
from quizlib.ui import chart_text, class_charts, common, course

ctx = common.context()
store = ctx.store
course.require_teacher(store)
report = class_report.build(store, ctx.banks, common.now())

st.title("Class")
if report.items.empty:
    st.info("No student has answered a question yet.")
    st.stop()
st.caption("First tries only. **Facility**: mean score fraction. **Discrimination**: correlation of the "
           "question's score with the rest of the student's score (below 0.2: look at the question).")
items_tab, students_tab, exams_tab = st.tabs(["Questions", "Students", "Mock exams"])
with items_tab:
    chart_text.show(class_charts.items_chart(report.items))
    st.dataframe(report.items, hide_index=True)
    st.download_button("Download question statistics (.csv)", class_report.csv_bytes(report.items),
                       file_name="class-questions.csv", mime="text/csv", key="class:dl-items")
    qid = st.selectbox("Wrong answers of", report.items["question"], key="class:wrong-q")
    st.dataframe(report.wrong[report.wrong["question"] == qid], hide_index=True)
with students_tab:
    chart_text.show(class_charts.students_chart(report.students))
    st.dataframe(report.students, hide_index=True)
    st.download_button("Download students (.csv)", class_report.csv_bytes(report.students),
                       file_name="class-students.csv", mime="text/csv", key="class:dl-students")
with exams_tab:
    if report.exams.empty:
        st.info("No mock exam submitted yet.")
    else:
        chart_text.show(class_charts.exams_chart(report.exams))
        st.dataframe(report.exams, hide_index=True)
        st.download_button("Download mock exams (.csv)", class_report.csv_bytes(report.exams),
                           file_name="class-exams.csv", mime="text/csv", key="class:dl-exams")
