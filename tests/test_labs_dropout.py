"""Dropout lab logic: the running mean converges to E[y], the three arms, and p=1 is refused."""
import numpy as np
import pytest

from quizlib.errors import ConfigError
from quizlib.labs import dropout


def test_running_mean_converges_to_x():
    d = dropout.mask_demo(dropout.MaskSettings(p=0.5, units=6, samples=20000, seed=1))
    rm = d.running_mean("inverted")
    err_early = np.abs(rm[49] - d.x).max()
    err_late = np.abs(rm[-1] - d.x).max()
    assert err_late < 0.05 * d.x.max()
    assert err_late < err_early
    assert d.dropped_fraction() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_arms_expectations_and_broken_mismatch(p):
    d = dropout.mask_demo(dropout.MaskSettings(p=p, units=8, samples=40000, seed=2))
    inv, scaled, broken = dropout.ARMS
    # the first two arms: inference output equals the train-time expectation
    assert d.mismatch(inv) == pytest.approx(1.0, abs=0.02)
    assert d.mismatch(scaled) == pytest.approx(1.0, abs=0.02)
    # the broken arm feeds the next layer 1/(1−p) times more at inference than at training
    assert d.mismatch(broken) == pytest.approx(1 / (1 - p), rel=0.02)
    assert d.expectation(scaled) == pytest.approx((1 - p) * d.x)
    np.testing.assert_allclose(d.train[inv].mean(axis=0), d.x, rtol=0.06)


def test_same_masks_for_every_arm_and_same_seed_same_numbers():
    a = dropout.mask_demo(dropout.MaskSettings(seed=5))
    b = dropout.mask_demo(dropout.MaskSettings(seed=5))
    np.testing.assert_array_equal(a.masks, b.masks)
    kept = a.masks.astype(bool)
    np.testing.assert_array_equal(kept, a.train["broken (no scaling)"] != 0)
    np.testing.assert_array_equal(kept, a.train["inverted"] != 0)


def test_rows():
    d = dropout.mask_demo(dropout.MaskSettings(units=4, samples=50))
    assert len(d.arm_rows()) == 3 * 4 * 2
    assert {r["mask"] for r in d.running_rows(units=2)} <= set(range(1, 51))


@pytest.mark.parametrize("p", [1.0, 1.2, -0.1, float("nan")])
def test_p_outside_range_is_a_config_error(p):
    with pytest.raises(ConfigError, match="p="):
        dropout.mask_demo(dropout.MaskSettings(p=p))


def test_dropout_arm_overfits_less():
    runs = dropout.OverfitArms(dropout.TrainSettings())
    runs.step(1500)
    with_d, without = runs.names
    assert runs.last("loss", without, "train") < runs.last("loss", with_d, "train")
    assert runs.last("loss", without, "validation") > runs.last("loss", with_d, "validation") + 0.2
    # the no-dropout net memorises: its train/validation gap is the larger one
    gap = {n: runs.last("loss", n, "validation") - runs.last("loss", n, "train") for n in runs.names}
    assert gap[without] > gap[with_d]


def test_same_seed_same_curves():
    a, b = dropout.OverfitArms(dropout.TrainSettings(seed=3)), dropout.OverfitArms(dropout.TrainSettings(seed=3))
    a.step(50)
    b.step(50)
    assert a.rows() == b.rows()


def test_huge_learning_rate_stops_with_the_step():
    runs = dropout.OverfitArms(dropout.TrainSettings(lr=1e6))
    runs.step(100)
    assert runs.error is not None and "step" in runs.error and "lower the learning rate" in runs.error
    assert runs.steps < 100


def test_live_learning_rate_change_is_marked():
    runs = dropout.OverfitArms(dropout.TrainSettings())
    runs.step(30)
    runs.update(dropout.TrainSettings(lr=0.05))
    assert runs.markers == [{"step": 30, "label": "lr 0.1 → 0.05"}]
    with pytest.raises(ConfigError):
        runs.update(dropout.TrainSettings(lr=-1.0))
