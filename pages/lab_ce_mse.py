"""Cross-entropy vs MSE lab: the material's single sigmoid neuron (x = 1, y = 0), recomputed on every change."""
import math

import streamlit as st

from quizlib.labs import ce_mse
from quizlib.ui import labs as ui

st.title("Cross-entropy vs MSE")
st.caption("One sigmoid neuron a = σ(wx + b) with input x = 1 and target y = 0, started at two points, "
           "trained by gradient descent with the SAME learning rate under both costs.")

s0 = ui.query_defaults(ce_mse.NeuronSettings, "ce_mse")
c = st.columns(4)
lr = c[0].number_input("learning rate η", -1.0, 1e6, s0.lr, 0.05, format="%g", key="c_lr")
steps = c[1].slider("steps", 10, 1000, s0.steps, 10, key="c_steps")
w = c[2].number_input("3rd start: w", -50.0, 50.0, 2.0, 0.5, key="c_w")
b = c[3].number_input("3rd start: b", -50.0, 50.0, 2.0, 0.5, key="c_b")
starts = tuple(dict.fromkeys(s0.starts + ((w, b),)))  # the material's two starts, plus yours if different
s = ce_mse.NeuronSettings(lr=lr, steps=steps, starts=starts)
with ui.lab_errors():
    df = ce_mse.neuron_runs(s)
q = ce_mse.neuron_quantities(w, b)
ui.formula(r"\begin{gathered}"
         rf"z=wx+b={w:g}+{b:g}={q['z']:g},\quad a=\sigma(z)={q['a']:.4f},\quad \sigma'(z)=a(1-a)={q['sigma_prime']:.4f}\\"
         rf"\text{{MSE: }}\frac{{\partial C}}{{\partial w}}=(a-y)\,\sigma'(z)\,x={q['dCdw_mse']:.4f}\qquad"
         rf"\text{{CE: }}\frac{{\partial C}}{{\partial w}}=(a-y)\,x={q['dCdw_ce']:.4f}"
         r"\end{gathered}")
reach = ce_mse.steps_to_reach(df)
st.markdown("Steps until the output falls to a = 0.5: " + " · ".join(
    f"{r.start}, {r.cost}: **{'never' if math.isnan(r.steps) else int(r.steps)}**" for r in reach.itertuples()))
cols = st.columns(2)
for i, (y, log) in enumerate((("C", False), ("a", False), ("w", False), ("b", False), ("dC_dw", True))):
    with cols[i % 2]:
        ui.show(ui.runs_lines(df, y, color="cost", dash="start", log_y=log))
ui.export_panel("ce_mse", s)
st.info("**What to notice.** From (2, 2) the neuron is saturated: a ≈ 0.98 is badly wrong, yet under MSE "
        "∂C/∂w = (a−y)σ′(z)x is tiny because σ′(4) ≈ 0.018 — the cost curve sits on a plateau for hundreds of "
        "steps. Cross-entropy's gradient (a−y)x has no σ′, so the worse the neuron, the faster it learns. From "
        "(0.6, 0.9) the neuron is not saturated and both costs start quickly.")
