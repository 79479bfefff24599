"""Batch-norm lab: batch vs running statistics, the B/(B−1) correction, train vs eval, a deep net ±BN."""
import streamlit as st

from quizlib.labs import batchnorm as bn
from quizlib.ui import labs as ui

st.title("Batch normalisation")
st.caption("One unit's pre-activation z ~ N(2, 3²) arrives in batches of B; watch what BN estimates.")

s0 = ui.query_defaults(bn.StatsSettings, "bn_stats")
d0 = ui.query_defaults(bn.DeepSettings, "bn_deep", prefix="deep_")
c = st.columns(4)
B = c[0].number_input("batch size B", 1, 4096, s0.B, key="b_B")
mom = c[1].number_input("momentum m", -1.0, 2.0, s0.momentum, 0.05, key="b_m")
steps = c[2].slider("batches seen", 10, 2000, s0.steps, 10, key="b_steps")
seed = c[3].number_input("seed", 0, 10_000, s0.seed, key="b_seed")
s = bn.StatsSettings(B=B, momentum=mom, steps=steps, seed=seed)
with ui.lab_errors():
    stats = bn.running_stats(s)
    tve = bn.train_vs_eval(s)
ui.formula(bn.formula_latex(B, mom))
ui.show(ui.wide_lines(stats, "step", ["batch_mean", "running_mean", "true_mean"], title="mean", height=260))
ui.show(ui.wide_lines(stats, "step", ["running_var", "running_var_no_correction", "true_var"], height=260,
                      title="variance: with and without B/(B−1)"))
v = bn.settled_variances(stats, s)
st.markdown(f"Average over the last {v['batches']} batches: running variance **{v['corrected']:.3f}** with the "
            f"correction, **{v['uncorrected']:.3f}** without, true **{v['true']:g}**.")
st.dataframe(bn.bessel_table(), hide_index=True)

st.subheader("Train mode vs eval mode for the same input x₀")
st.dataframe(tve[tve.is_x0][["batch", "z", "train_out", "eval_out"]], hide_index=True)
st.caption("In train mode x₀'s output depends on the rest of its batch; in eval mode it does not.")

st.subheader("A deep sigmoid net with and without batch norm (digits)")
c = st.columns(3)
ds = bn.DeepSettings(depth=c[0].slider("hidden layers", 1, 20, d0.depth, key="b_depth"),
                     lr=c[1].number_input("learning rate η", 0.0, 1e6, d0.lr, format="%g", key="b_lr"),
                     batch_size=c[2].number_input("training batch", 1, 512, d0.batch_size, key="b_bs"), seed=seed)
runs = ui.live_panel("bn_live", ds, bn.DeepArms, metrics=["loss", "accuracy"], steps_per_tick=10,
                     max_steps=2000)
ui.export_panel("batchnorm", {"": s, "deep_": ds}, runs)
st.info("**What to notice.** The batch mean and variance jump around; the running ones are their exponential "
        "average and settle near the truth — the variance only with the B/(B−1) factor (try B = 2: the "
        "uncorrected one settles at half). In train mode a sample's output changes with its batch-mates, in "
        "eval mode it is fixed. The deep sigmoid net barely moves without BN; with BN it learns at once.")
