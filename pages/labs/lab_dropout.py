"""Dropout lab: one activation vector under resampled masks, three scaling arms, and overfitting."""
import streamlit as st

from quizlib.labs import dropout
from quizlib.ui import labs as ui

st.title("Dropout")
st.caption("p is the probability of DROPPING a unit; each unit is kept with probability 1−p.")

m0 = ui.query_defaults(dropout.MaskSettings, "dropout_mask")
t0 = ui.query_defaults(dropout.TrainSettings, "dropout_train")
c = st.columns(3)
p = c[0].number_input("drop probability p", -1.0, 2.0, m0.p, 0.05, key="d_p")
samples = c[1].slider("masks drawn", 1, 5000, m0.samples, key="d_samples")
seed = c[2].number_input("seed", 0, 10_000, m0.seed, key="d_seed")
ms = dropout.MaskSettings(p=p, units=m0.units, samples=samples, seed=seed)
with ui.lab_errors():
    demo = dropout.mask_demo(ms)
    ui.formula(dropout.formula_latex(p))
st.markdown(f"Fraction of units dropped over {samples} masks: **{demo.dropped_fraction():.3f}** (p = {p:g}).")
ui.show(ui.line_chart(demo.running_rows(), "mask", "running mean", "unit", height=220,
                      title="running mean of inverted-dropout outputs → x"))

st.subheader("Three ways to scale")
ui.formula(dropout.arms_latex(p))
ui.bar_columns(demo.arm_rows(), "arm", "unit", "value", "mode")
for col, arm in zip(st.columns(3), dropout.ARMS):
    col.metric(f"inference ÷ train mean, {arm}", f"{demo.mismatch(arm):.3f}")

st.subheader("Training: a small noisy set that overfits")
c = st.columns(3)
ts = dropout.TrainSettings(p=p, seed=seed, lr=c[0].number_input("learning rate η", 0.0, 1e7, t0.lr,
                                                                format="%g", key="d_lr"),
                           n_train=c[1].slider("training points", 10, 400, t0.n_train, key="d_n"),
                           noise=c[2].slider("noise", 0.0, 1.0, t0.noise, key="d_noise"))
runs = ui.live_panel("dropout_live", ts, dropout.OverfitArms, metrics=["loss", "accuracy"],
                     steps_per_tick=50, max_steps=3000)
ui.export_panel("dropout", (ms, ts), runs)
st.info("**What to notice.** The running mean of m⊙x/(1−p) homes in on x: inverted dropout is unbiased, so "
        "inference is just the identity. Scaling by (1−p) at inference gives the same match, only in other units. "
        "Skip the scaling and the next layer sees activations 1/(1−p) times larger at inference than it ever saw "
        "in training. On the training curves (solid = train, dashed = validation) the net without dropout drives "
        "its training loss to ~0 while its validation loss turns up; with dropout the gap stays smaller.")
