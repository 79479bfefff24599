"""quizlib.nn.training: determinism, history, mid-run changes, divergence, export and replay."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.nn.training import Run, TrainConfig

FAST = TrainConfig(n=200, hidden_sizes=(16,), record_every=5)


def test_same_seed_same_curve_and_another_seed_differs():
    a, b = Run(FAST), Run(FAST)
    a.step(40)
    b.step(40)
    assert a.history == b.history
    c = Run(dataclasses.replace(FAST, seed=1))
    c.step(40)
    assert c.history != a.history


def test_history_rows_and_learning():
    run = Run(dataclasses.replace(FAST, lr=0.3))
    assert run.step(300)
    h = run.history
    assert [r["step"] for r in h] == list(range(0, 301, 5))
    assert {"train_loss", "val_loss", "train_acc", "val_acc", "weight_norm", "confidence",
            "logit_norm", "lr"} <= set(h[0])
    assert h[-1]["train_loss"] < 0.6 * h[0]["train_loss"]
    assert h[-1]["train_acc"] > 0.85


@pytest.mark.parametrize("output,loss", [("sigmoid", None), ("sigmoid", "mse"), ("linear", None)])
def test_other_outputs_train(output, loss):
    run = Run(dataclasses.replace(FAST, output=output, loss=loss, lr=0.3))
    run.step(200)
    assert run.error is None and run.history[-1]["train_loss"] < run.history[0]["train_loss"]


def test_digits_and_batchnorm_dropout_smoothing():
    cfg = TrainConfig(dataset="digits", n=300, hidden_sizes=(32,), batchnorm=True, dropout=0.2,
                      label_smoothing=0.1, weight_decay=1e-3, record_every=20)
    run = Run(cfg)
    run.step(100)
    assert run.error is None and run.history[-1]["val_acc"] > 0.5


def test_update_config_marks_the_step_and_applies():
    run = Run(FAST)
    run.step(10)
    run.update_config(dataclasses.replace(FAST, lr=0.5, dropout=0.3))
    assert run.markers == [{"step": 10, "label": "lr 0.1 → 0.5, dropout 0.0 → 0.3"}]
    assert run.mlp.dropout == 0.3
    run.step(5)
    assert run.history[-1]["lr"] == 0.5
    with pytest.raises(ConfigError, match="needs a reset"):
        run.update_config(dataclasses.replace(run.config, hidden_sizes=(8,)))
    run.update_config(run.config)  # no change, no marker
    assert len(run.markers) == 1


def test_divergence_stops_with_a_message():
    run = Run(dataclasses.replace(FAST, output="linear", lr=1e6))
    assert run.step(100) is False
    assert run.error is not None and "diverged" in run.error and "lower the learning rate" in run.error
    steps = run.steps
    run.step(10)
    assert run.steps == steps  # stopped


@pytest.mark.parametrize("lr", [1e3, 1e6])
def test_exploding_softmax_run_stops_too(lr):
    run = Run(dataclasses.replace(FAST, lr=lr))
    assert run.step(200) is False and "lower the learning rate" in run.error


def test_json_round_trip_replays_the_same_curve():
    run = Run(FAST)
    run.step(20)
    run.update_config(dataclasses.replace(FAST, lr=0.4))
    run.step(15)
    again = Run.from_json(run.to_json())
    assert again.steps == 35 and again.history == run.history and again.markers == run.markers
    fresh = Run.from_json(run.to_json(), replay=False)
    assert fresh.steps == 0 and fresh.config == FAST
    with pytest.raises(ConfigError):
        Run.from_json('{"config": {"bogus": 1}}')
    with pytest.raises(ConfigError):
        Run.from_json("not json")


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0.0), "learning rate"), (dict(lr=float("nan")), "learning rate"), (dict(dropout=1.0), "dropout"),
    (dict(batchnorm=True, batch_size=1), "batch"), (dict(dataset="mnist"), "data set"),
    (dict(l2=-1.0), "l2"), (dict(label_smoothing=2.0), "smoothing"), (dict(momentum=-0.1), "momentum"),
])
def test_bad_configs(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        Run(dataclasses.replace(FAST, **kwargs))


def test_smoothing_a_linear_output_is_refused_at_start_and_mid_run():
    # the training step no longer checks the targets against α: the config does, where α enters
    linear = dataclasses.replace(FAST, output="linear")
    with pytest.raises(ConfigError, match="label smoothing needs class targets"):
        Run(dataclasses.replace(linear, label_smoothing=0.1))
    run = Run(linear)
    run.step(5)
    with pytest.raises(ConfigError, match="label smoothing needs class targets"):
        run.update_config(dataclasses.replace(linear, label_smoothing=0.1))
    assert run.config == linear and run.markers == []
    run.step(5)
    assert run.error is None and run.steps == 10


def test_bad_live_settings_mid_run_change_nothing():
    run = Run(FAST)
    run.step(5)
    for bad, match in ((dict(dropout=1.0), "dropout"), (dict(lr=-0.1), "learning rate"), (dict(l2=float("nan")), "l2"),
                       (dict(label_smoothing=1.5), "smoothing"), (dict(weight_decay=-1.0), "weight_decay")):
        with pytest.raises(ConfigError, match=match):
            run.update_config(dataclasses.replace(FAST, **bad))
    assert run.config == FAST and run.mlp.dropout == 0.0 and run.markers == []


def test_confidence_is_mean_max_probability():
    run = Run(FAST)
    p = run.mlp.forward(run.X_train)
    assert run.history[0]["confidence"] == pytest.approx(p.max(axis=1).mean())
    assert run.history[0]["weight_norm"] == pytest.approx(
        np.sqrt(sum((W ** 2).sum() for W in run.mlp.weights)))
