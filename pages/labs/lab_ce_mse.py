"""Cross-entropy vs MSE lab: the material's single sigmoid neuron (x = 1, y = 0), trained live from every start."""
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
ui.formula(ce_mse.gradients_latex(w, b))
st.markdown("Colour = cost (cross-entropy, MSE), dash = start. The numbers beside the step counter are the "
            "steps each cost needs to bring the output down to a = 0.5.")
runs = ui.live_panel("ce_mse_live", s, ce_mse.NeuronArms, metrics=["a", "C", "dC_dw"],
                     steps_per_tick=5, max_steps=steps, log_y=("dC_dw",), columns=2)
ui.export_panel("ce_mse", s, runs)
st.info("**What to notice.** From (2, 2) the neuron is saturated: a ≈ 0.98 is badly wrong, yet under MSE "
        "∂C/∂w = (a−y)σ′(z)x is tiny because σ′(4) ≈ 0.018 — the cost curve sits on a plateau for hundreds of "
        "steps. Cross-entropy's gradient (a−y)x has no σ′, so the worse the neuron, the faster it learns. From "
        "(0.6, 0.9) the neuron is not saturated and both costs start quickly.")
