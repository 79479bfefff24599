"""Label-smoothing lab: the smoothed target vector, its binary form, and training with and without it."""
import streamlit as st

from quizlib.labs import smoothing
from quizlib.ui import labs as ui

st.title("Label smoothing")
st.caption("Cross-entropy against a softened target: the network is no longer paid to be 100 % sure.")

g0 = ui.query_defaults(smoothing.TargetSettings, "smooth_target")
t0 = ui.query_defaults(smoothing.TrainSettings, "smooth_train")
c = st.columns(3)
alpha = c[0].number_input("α (smoothing)", -1.0, 2.0, g0.alpha, 0.05, key="s_alpha")
classes = c[1].slider("K (classes)", 2, 20, g0.classes, key="s_K")
gold = c[2].number_input("gold class", 0, 19, g0.gold, key="s_gold")
gs = smoothing.TargetSettings(alpha=alpha, classes=classes, gold=gold)
with ui.lab_errors():
    rows = smoothing.target_rows(gs)
    ui.formula(smoothing.formula_latex(alpha, classes))
ui.show(ui.bar_chart(rows, "class", "value", "target", offset="target", height=200))
st.markdown(f"At the optimum p = q the softmax sits at confidence **{smoothing.gold_target(alpha, classes):.3f}** "
            f"with a finite logit gap log(q_gold/q_other) = **{smoothing.best_logit_gap(alpha, classes):.3f}** "
            "(∞ without smoothing).")

st.subheader(f"Training with and without smoothing ({classes} Gaussian clusters, one per class)")
c = st.columns(2)
ts = smoothing.TrainSettings(alpha=alpha, classes=classes, seed=c[1].number_input("seed", 0, 10_000, t0.seed, key="s_seed"),
                             lr=c[0].number_input("learning rate η", 0.0, 1e7, t0.lr, format="%g", key="s_lr"))
target = smoothing.gold_target(alpha, classes)
runs = ui.live_panel("smooth_live", ts, smoothing.SmoothArms, steps_per_tick=25,
                     metrics=["confidence (mean max p)", "logit norm"], max_steps=3000,
                     refs={"confidence (mean max p)": (target, f"1−α+α/K = {target:.3f}")})
ui.export_panel("smoothing", (gs, ts), runs)
st.info("**What to notice.** With α = 0 the confidence creeps towards 1 and the logits keep growing — "
        "cross-entropy against a one-hot target is only minimised at an infinite logit gap. With smoothing the "
        "confidence levels off near the dashed line 1−α+α/K and the logit norm stops growing: the net is "
        "never pushed for that last 0.01 %. Sigmoid form: targets α/2 and 1−α/2 instead of 0 and 1.")
