"""Label-smoothing lab logic: exact targets, binary form, optimum confidence and logit gap."""
import math

import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import smoothing


def test_target_vector_is_exact():
    q = smoothing.target_vector(smoothing.TargetSettings(alpha=0.1, classes=5, gold=2))
    assert q == pytest.approx([0.02, 0.02, 0.92, 0.02, 0.02])
    assert q.sum() == pytest.approx(1.0)
    assert smoothing.gold_target(0.1, 5) == pytest.approx(0.92)


def test_binary_form():
    assert smoothing.binary_targets(0.2) == pytest.approx((0.1, 0.9))
    assert smoothing.binary_targets(0.0) == (0.0, 1.0)


def test_best_logit_gap_is_where_softmax_hits_the_target():
    a, K = 0.1, 5
    gap = smoothing.best_logit_gap(a, K)
    z = np.zeros(K)
    z[0] = gap
    p = np.exp(z) / np.exp(z).sum()
    assert p[0] == pytest.approx(smoothing.gold_target(a, K))
    assert smoothing.best_logit_gap(0.0, K) == math.inf


def test_rows_for_the_bar_chart():
    rows = smoothing.target_rows(smoothing.TargetSettings(alpha=0.3, classes=3, gold=0))
    assert len(rows) == 6
    smoothed = [r["value"] for r in rows if r["target"].startswith("smoothed")]
    assert smoothed == pytest.approx([0.8, 0.1, 0.1])


@pytest.mark.parametrize("kw", [dict(alpha=-0.1), dict(alpha=1.5), dict(classes=1, gold=0), dict(gold=7)])
def test_nonsense_settings(kw):
    with pytest.raises(ConfigError):
        smoothing.target_vector(smoothing.TargetSettings(**kw))


def test_confidence_settles_near_target_and_logits_stop_growing():
    s = smoothing.TrainSettings(alpha=0.2, classes=5, lr=0.5)
    runs = smoothing.SmoothArms(s)
    runs.step(1500)
    smooth, onehot = runs.names
    conf = runs.last("confidence (mean max p)", smooth)
    assert conf == pytest.approx(smoothing.gold_target(0.2, 5), abs=0.03)  # 0.84
    assert runs.last("confidence (mean max p)", onehot) > 0.99
    assert runs.last("logit norm", onehot) > 3 * runs.last("logit norm", smooth)
    norm_then = runs.last("logit norm", smooth)
    runs.step(500)
    assert runs.last("logit norm", smooth) == pytest.approx(norm_then, rel=0.1)


def test_training_settings_are_validated():
    with pytest.raises(ConfigError):
        smoothing.SmoothArms(smoothing.TrainSettings(alpha=1.2))
    with pytest.raises(ConfigError):
        smoothing.SmoothArms(smoothing.TrainSettings(lr=0.0))
