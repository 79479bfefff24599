"""quizlib.nn.datasets: shapes, labels, seeds, noise, the split, and the committed digits file."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from quizlib.nn import datasets
from quizlib.errors import ConfigError

TOYS = [datasets.moons, datasets.circles, datasets.spirals, datasets.xor]


@pytest.mark.parametrize("make", TOYS, ids=lambda f: f.__name__)
def test_shapes_labels_and_balance(make):
    X, y = make(101, 0.1, np.random.default_rng(0))
    assert X.shape == (101, 2) and X.dtype == float and y.shape == (101,)
    assert np.issubdtype(y.dtype, np.integer)
    counts = np.bincount(y)
    assert len(counts) == (3 if make is datasets.spirals else 2)
    assert counts.max() - counts.min() <= 1  # balanced as n allows (xor: corners 0,3 vs 1,2)


@pytest.mark.parametrize("make", TOYS, ids=lambda f: f.__name__)
def test_same_seed_same_data_and_noise_matters(make):
    a = make(50, 0.2, np.random.default_rng(3))
    b = make(50, 0.2, np.random.default_rng(3))
    c = make(50, 0.2, np.random.default_rng(4))
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    X0, y0 = make(400, 0.0, np.random.default_rng(1))
    X1, y1 = make(400, 0.5, np.random.default_rng(1))
    assert np.abs(X0).max() < 2.1 and np.abs(X1).max() > np.abs(X0).max()


def test_geometry_without_noise():
    X, y = datasets.circles(200, 0.0, np.random.default_rng(0))
    r = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.5)
    X, y = datasets.xor(100, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_bad_settings():
    with pytest.raises(ConfigError, match="noise"):
        datasets.moons(10, -1)
    with pytest.raises(ConfigError, match="at least"):
        datasets.spirals(2, 0.1)
    with pytest.raises(ConfigError, match="unknown data set"):
        datasets.make("mnist", 10)
    with pytest.raises(ConfigError, match="fraction"):
        datasets.train_val_split(np.zeros((4, 2)), np.zeros(4), 1.0)


def test_train_val_split():
    X, y = datasets.moons(100, 0.1, np.random.default_rng(0))
    (Xt, yt), (Xv, yv) = datasets.train_val_split(X, y, 0.3, np.random.default_rng(1))
    assert len(yt) == 70 and len(yv) == 30
    rows = {tuple(r) for r in np.r_[Xt, Xv]}
    assert rows == {tuple(r) for r in X}  # a partition, nothing lost or duplicated


def test_digits_file_shape_and_checksums():
    with np.load(datasets.DIGITS_PATH) as f:
        X, y = f["X"], f["y"]
    assert X.shape == (1797, 64) and X.dtype == np.uint8 and y.shape == (1797,)
    assert hashlib.sha256(X.tobytes()).hexdigest() == (
        "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3")
    assert hashlib.sha256(y.tobytes()).hexdigest() == (
        "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0")
    assert X.max() == 16 and set(np.unique(y)) == set(range(10))
    assert (datasets.DIGITS_PATH.parent / "DIGITS-LICENSE.md").read_text().count("CC BY 4.0") >= 1


def test_load_digits_scaled_and_make():
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and 0.0 <= X.min() and X.max() == 1.0
    Xs, ys = datasets.make("digits", 200, rng=np.random.default_rng(0))
    assert Xs.shape == (200, 64) and len(set(ys)) == 10
