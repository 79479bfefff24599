"""The labs validate through quizlib.nn: one check per setting, one message, the same at every door."""
from __future__ import annotations

import dataclasses
import math

import pytest

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs import dropout, smoothing
from quizlib.nn.training import Run, TrainConfig


def message(f, *args):
    with pytest.raises(ConfigError) as e:
        f(*args)
    return str(e.value)


@pytest.mark.parametrize("p", [1.0, 1.5, -0.1, math.nan, math.inf])
def test_a_bad_dropout_p_has_one_message_everywhere(p):
    expected = message(nn.check_p, p)
    assert expected.startswith(f"dropout p={p:g} must be in [0, 1)") and "1/(1−p)" in expected
    assert message(dropout.mask_demo, dropout.MaskSettings(p=p)) == expected
    assert message(dropout.formula_latex, p) == expected
    assert message(dropout.OverfitArms, dropout.TrainSettings(p=p)) == expected
    assert message(nn.MLP, [2, 3, 2], "relu", "softmax", None, "glorot", 0, p) == expected
    assert message(Run, dataclasses.replace(TrainConfig(), dropout=p)) == expected


@pytest.mark.parametrize("alpha", [1.2, -0.1, math.nan])
def test_a_bad_smoothing_alpha_has_one_message_everywhere(alpha):
    expected = message(nn.check_alpha, alpha)
    assert expected.startswith(f"label smoothing α={alpha:g} must be in [0, 1]")
    assert message(smoothing.target_rows, smoothing.TargetSettings(alpha=alpha)) == expected
    assert message(smoothing.binary_targets, alpha) == expected
    assert message(smoothing.SmoothArms, smoothing.TrainSettings(alpha=alpha)) == expected
    assert message(nn.smooth_targets, [0], 3, alpha) == expected
    assert message(Run, dataclasses.replace(TrainConfig(), label_smoothing=alpha)) == expected
