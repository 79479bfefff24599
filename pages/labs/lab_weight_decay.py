"""L2 weight-decay lab: L2 in the loss vs decoupled decay, shrink per step and per epoch, λ vs accuracy."""
import streamlit as st

from quizlib.labs import weight_decay as wd
from quizlib.ui import labs as ui

st.title("L2 regularisation and weight decay")
st.caption("For plain SGD, adding (λ/2)‖W‖² to the loss and shrinking W by (1 − ηλ) each step are the same update.")

s0 = ui.query_defaults(wd.DecaySettings, "wd")
c = st.columns(3)
lr = c[0].number_input("learning rate η", 0.0, 1e6, s0.lr, 0.05, format="%g", key="w_lr")
lam = c[1].number_input("λ", -1.0, 100.0, s0.lam, 0.005, format="%g", key="w_lam")
seed = c[2].number_input("seed", 0, 10_000, s0.seed, key="w_seed")
s = wd.DecaySettings(lr=lr, lam=lam, seed=seed)
with ui.lab_errors():
    s.validate()
ui.formula(wd.update_latex(lr, lam))

st.subheader("Four arms on the same net and data: ‖W‖, loss, accuracy")
runs = ui.live_panel("wd_live", s, wd.DecayArms, metrics=["weight_norm", "loss", "accuracy"],
                     steps_per_tick=25, max_steps=3000)

c = st.columns(2)
with c[0]:
    st.markdown(f"**Zero gradient:** only the decay acts, ‖W‖ₖ = ‖W₀‖(1 − ηλ)ᵏ = ‖W₀‖·{wd.shrink_factor(lr, lam):.6g}ᵏ")
    ui.show(ui.wide_lines(wd.zero_gradient_demo(s), "step", ["simulated", "formula"]))
with c[1]:
    st.markdown("**Per epoch** (Nielsen's convention, n examples, minibatches of m):")
    cc = st.columns(3)
    n = cc[0].number_input("examples n", 1, 10_000_000, 50_000, key="w_n")
    m = cc[1].number_input("minibatch m", 1, 10_000_000, 10, key="w_m")
    lam_n = cc[2].number_input("λ (per-example, C₀ + λ/2n·Σw²)", 0.0, 1e6, 5.0, key="w_lamn")
    e = ui.attempt(wd.epoch_shrink, lr, lam_n, int(n), int(m))
    if e:
        ui.formula(wd.epoch_latex(e))
        st.caption(f"per step {e['per_step']:.8g}, {e['steps_per_epoch']:g} steps per epoch, "
                   f"relative error {e['rel_error']:.2g}")

st.subheader("The conventions side by side")
st.dataframe(wd.conventions_table(lr, lam, int(n)), hide_index=True)
st.subheader("Validation accuracy against λ")
if st.button("Sweep λ (7 trainings, ≈2 s)", key="w_sweep"):
    with ui.lab_errors():
        sweep = wd.accuracy_vs_lambda(s)
    ui.show(ui.wide_lines(sweep, "lam", ["train_accuracy", "validation_accuracy"], height=220))
ui.export_panel("weight_decay", s, runs)
st.info("**What to notice.** The three decaying arms draw ONE ‖W‖ curve: for plain SGD, L2 in the loss, "
        "PyTorch's weight_decay and (1−λ′)W with λ′ = ηλ are the same update (they differ for Adam). With no "
        "gradient the weights shrink geometrically by (1−ηλ) per step. Without decay ‖W‖ grows while the net "
        "memorises its 40 noisy points; a moderate λ keeps the validation accuracy up, a huge λ kills the weights.")
