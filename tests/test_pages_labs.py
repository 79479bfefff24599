"""AppTest of the six lab pages: a default run renders formulas, charts and numbers; a short training
advances the step counter and adds curves; a setting changed mid-run applies with a marker or keeps
the run and offers Reset (never a silent restart); nonsense settings give st.error, not an exception;
a query string restores the settings."""
import pytest
from streamlit.testing.v1 import AppTest
from page_helpers import formulas

LIVE = {  # page → key of its live panel
    "lab_dropout": "dropout_live", "lab_smoothing": "smooth_live", "lab_glorot": "glorot_live",
    "lab_weight_decay": "wd_live", "lab_batchnorm": "bn_live", "lab_ce_mse": "ce_mse_live",
}
# page → (widget kind, key, value) of a setting a run takes mid-flight, and of one that needs a Reset
LIVE_CHANGE = {
    "lab_dropout": ("number_input", "d_p", 0.3), "lab_smoothing": ("number_input", "s_alpha", 0.3),
    "lab_glorot": ("number_input", "g_lr", 0.05), "lab_weight_decay": ("number_input", "w_lam", 0.05),
    "lab_batchnorm": ("number_input", "b_bs", 16), "lab_ce_mse": ("number_input", "c_lr", 0.5),
}
RESET_CHANGE = {
    "lab_dropout": ("slider", "d_noise", 0.8), "lab_smoothing": ("slider", "s_K", 4),
    "lab_glorot": ("slider", "g_depth", 5), "lab_weight_decay": ("number_input", "w_seed", 3),
    "lab_batchnorm": ("slider", "b_depth", 3), "lab_ce_mse": ("number_input", "c_w", 1.0),
}
ALL = ["lab_dropout", "lab_smoothing", "lab_glorot", "lab_weight_decay", "lab_ce_mse", "lab_batchnorm"]


def app(name: str, **query) -> AppTest:
    at = AppTest.from_file(f"../pages/labs/{name}.py", default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def step_metric(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "training step"))


@pytest.mark.parametrize("name", ALL)
def test_default_run_renders_formula_and_charts(name):
    at = app(name)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(formulas(at)) >= 1
    assert charts(at) >= 1
    assert any("notice" in i.value.lower() for i in at.info)


@pytest.mark.parametrize("name", [n for n in ALL if n in LIVE])
def test_step_trains_and_adds_points(name):
    at = app(name)
    assert step_metric(at) == 0
    before = charts(at)
    at.button(key=f"{LIVE[name]}_stepbtn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert step_metric(at) > 0
    assert charts(at) >= before
    at.button(key=f"{LIVE[name]}_reset").click().run()
    assert step_metric(at) == 0


def test_dropout_p_one_is_an_error_not_a_traceback():
    at = app("lab_dropout")
    at.number_input(key="d_p").set_value(1.0).run()
    assert not at.exception
    assert any("p=1" in e.value for e in at.error)


def test_dropout_numbers_on_screen():
    at = app("lab_dropout", p="0.75")
    assert at.number_input(key="d_p").value == 0.75
    assert any("Bernoulli}(0.25)" in lx.value and r"=4\,m_i x_i" in lx.value for lx in formulas(at))  # 1/(1−p) = 4
    broken = next(m for m in at.metric if "broken" in m.label)
    assert float(broken.value) == pytest.approx(4.0, rel=0.1)


def test_dropout_huge_learning_rate_reports_nan_step():
    at = app("lab_dropout")
    at.number_input(key="d_lr").set_value(1e6).run()
    for _ in range(3):
        at.button(key="dropout_live_stepbtn").click().run()
    assert not at.exception
    assert any("at step" in e.value or "by step" in e.value for e in at.error)
    assert any("lower the learning rate" in e.value for e in at.error)


def test_smoothing_alpha_out_of_range_is_an_error():
    at = app("lab_smoothing")
    at.number_input(key="s_alpha").set_value(1.5).run()
    assert not at.exception
    assert any("α" in e.value for e in at.error)


def test_smoothing_query_restores_and_formula_shows_numbers():
    at = app("lab_smoothing", alpha="0.3", classes="4")
    assert at.number_input(key="s_alpha").value == pytest.approx(0.3)
    assert at.slider(key="s_K").value == 4
    assert any("0.775" in lx.value for lx in formulas(at))  # 1 − 0.3 + 0.3/4


def test_glorot_query_restores_bound_and_numbers():
    at = app("lab_glorot", fan_in="784", fan_out="16", depth="5")
    assert at.slider(key="g_depth").value == 5
    assert any("0.0866" in lx.value for lx in formulas(at))  # sqrt(6/800)
    assert any("393" in lx.value for lx in formulas(at))


def test_glorot_unreadable_query_is_ignored_with_warning():
    at = app("lab_glorot", depth="deep")
    assert not at.exception
    assert at.slider(key="g_depth").value == 8
    assert at.warning


def test_glorot_zero_learning_rate_is_an_error():
    at = app("lab_glorot")
    at.number_input(key="g_lr").set_value(0.0).run()
    assert not at.exception
    assert at.error


def set_widget(at, kind, key, value):
    getattr(at, kind)(key=key).set_value(value).run()


@pytest.mark.parametrize("name", ALL)
def test_live_setting_mid_run_applies_with_a_marker(name):
    at = app(name)
    at.button(key=f"{LIVE[name]}_stepbtn").click().run()
    steps = step_metric(at)
    kind, key, value = LIVE_CHANGE[name]
    set_widget(at, kind, key, value)
    assert not at.exception, [e.value for e in at.exception]
    assert step_metric(at) == steps  # the run goes on
    runs = at.session_state[LIVE[name]]["runs"]
    assert len(runs.markers) == 1 and runs.markers[0]["step"] == steps
    assert not any("Cannot change mid-run" in w.value for w in at.warning)
    at.button(key=f"{LIVE[name]}_stepbtn").click().run()
    assert step_metric(at) > steps


@pytest.mark.parametrize("name", ALL)
def test_other_setting_mid_run_keeps_the_run_and_offers_reset(name):
    at = app(name)
    at.button(key=f"{LIVE[name]}_stepbtn").click().run()
    steps = step_metric(at)
    runs = at.session_state[LIVE[name]]["runs"]
    kind, key, value = RESET_CHANGE[name]
    set_widget(at, kind, key, value)
    assert not at.exception, [e.value for e in at.exception]
    assert step_metric(at) == steps and at.session_state[LIVE[name]]["runs"] is runs  # nothing discarded
    assert any("Cannot change mid-run" in w.value and "Reset" in w.value for w in at.warning)
    at.button(key=f"{LIVE[name]}_stepbtn").click().run()  # the old run still trains
    assert step_metric(at) > steps
    at.button(key=f"{LIVE[name]}_apply").click().run()  # the offered Reset takes the new setting
    assert step_metric(at) == 0 and not any("Cannot change mid-run" in w.value for w in at.warning)
    assert at.session_state[LIVE[name]]["runs"] is not runs


def test_a_setting_changed_before_any_step_just_rebuilds():
    at = app("lab_glorot")
    at.slider(key="g_depth").set_value(5).run()
    assert not at.warning and step_metric(at) == 0
    assert at.session_state["glorot_live"]["settings"].depth == 5


def test_changing_learning_rate_mid_run_marks_the_curve():
    at = app("lab_glorot")
    at.button(key="glorot_live_stepbtn").click().run()
    at.number_input(key="g_lr").set_value(0.05).run()
    at.button(key="glorot_live_stepbtn").click().run()
    assert not at.exception
    state = at.session_state["glorot_live"]
    assert state["runs"].markers and state["runs"].markers[0]["step"] == 5
    assert "lr 0.3 → 0.05" in state["runs"].markers[0]["label"]


def test_export_offers_csv_json_and_link():
    at = app("lab_glorot")
    at.button(key="glorot_live_stepbtn").click().run()
    assert any("depth=8" in c.value and "fan_in=784" in c.value for c in at.code)
    assert len(at.get("download_button")) == 2


def test_ce_mse_formula_numbers_and_nonsense():
    at = app("lab_ce_mse")
    tex = " ".join(lx.value for lx in formulas(at))
    assert "0.9820" in tex and "0.0177" in tex and "0.0173" in tex  # σ(4), σ'(4), (a−y)σ'(4)
    assert any(m.label == "a ≤ 0.5 from w=2, b=2" and "CE" in m.value and "MSE" in m.value for m in at.metric)
    at.number_input(key="c_lr").set_value(1e5).run()
    assert not at.exception and at.error
    at.number_input(key="c_lr").set_value(-0.5).run()
    assert not at.exception and at.error


def test_ce_mse_formula_follows_the_third_start():
    at = app("lab_ce_mse")
    at.number_input(key="c_w").set_value(0.0).run()
    at.number_input(key="c_b").set_value(0.0).run()
    assert any("a=\\sigma(z)=0.5000" in lx.value for lx in formulas(at))
    assert any(m.label == "a ≤ 0.5 from w=0, b=0" and m.value == "CE 0 · MSE 0" for m in at.metric)


def test_ce_mse_trains_live_to_the_end_and_stops():
    at = app("lab_ce_mse")
    at.slider(key="c_steps").set_value(20).run()
    at.button(key="ce_mse_live_start").click().run()
    for _ in range(6):
        at.run()  # AppTest has no timer: each run is one tick of the fragment
    assert step_metric(at) == 20 and at.session_state["ce_mse_live"]["running"] is False
    assert charts(at) == 3


def test_weight_decay_sweep_and_nonsense():
    at = app("lab_weight_decay")
    before = charts(at)
    at.button(key="w_sweep").click().run()
    assert not at.exception
    assert charts(at) == before + 1
    at.number_input(key="w_lam").set_value(20.0).run()  # ηλ = 2 ≥ 1
    assert not at.exception and any("ηλ" in e.value for e in at.error)


def test_weight_decay_epoch_shrink_error_keeps_page():
    at = app("lab_weight_decay")
    at.number_input(key="w_m").set_value(100_000).run()  # minibatch larger than the training set
    assert not at.exception and at.error
    assert len(at.get("download_button")) >= 1  # the rest of the page still renders


def test_batchnorm_batch_of_one_is_an_error():
    at = app("lab_batchnorm")
    at.number_input(key="b_B").set_value(1).run()
    assert not at.exception
    assert any("B=1" in e.value for e in at.error)


def test_batchnorm_query_restores_and_shows_correction():
    at = app("lab_batchnorm", B="16", deep_depth="3")
    assert at.number_input(key="b_B").value == 16
    assert at.slider(key="b_depth").value == 3
    assert any(r"\tfrac{16}{15}" in lx.value for lx in formulas(at))


def test_export_link_reproduces_the_settings():
    from urllib.parse import parse_qsl

    at = app("lab_glorot")
    at.slider(key="g_depth").set_value(5).run()
    at.number_input(key="g_m").set_value(300).run()
    at.selectbox(key="g_hidden").set_value("sigmoid").run()
    link = next(c.value for c in at.code if c.value.startswith("?") or "?" in c.value)
    again = app("lab_glorot", **dict(parse_qsl(link.split("?", 1)[1])))
    assert again.slider(key="g_depth").value == 5
    assert again.number_input(key="g_m").value == 300
    assert again.selectbox(key="g_hidden").value == "sigmoid"
    assert not again.warning


def test_smoothing_summary_shows_confidence_against_target():
    at = app("lab_smoothing")
    at.button(key="smooth_live_stepbtn").click().run()
    labels = {m.label: m.value for m in at.metric}
    assert labels["1−α+α/K"] == "0.920"  # α = 0.1, K = 5
    assert any(k.startswith("confidence, label smoothing (α=0.1)") for k in labels)


def test_start_ticks_in_the_fragment_and_stop_freezes():
    at = app("lab_batchnorm")
    at.button(key="bn_live_start").click().run()  # the full rerun runs the fragment once: one tick
    assert not at.exception
    assert at.session_state["bn_live"]["running"] is True
    assert step_metric(at) == 10
    at.button(key="bn_live_stop").click().run()
    assert at.session_state["bn_live"]["running"] is False
    frozen = step_metric(at)
    at.run()
    assert step_metric(at) == frozen
