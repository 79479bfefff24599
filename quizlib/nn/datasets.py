"""Small data sets for the labs: four 2-D toy sets made from a seed, and the 8×8 digits.

Every generator takes `(n, noise, rng)` with a `numpy.random.Generator` and returns
`(X, y)`: `X` a float (n, 2) array, `y` int labels 0/1 (0..2 for spirals), classes as
balanced as n allows. `noise` is the standard deviation of Gaussian noise added to each
coordinate. The digits (1,797 images, UCI Optical Recognition of Handwritten Digits,
CC BY 4.0 — see content/data/DIGITS-LICENSE.md) are read from the committed
`content/data/digits.npz`; nothing is downloaded at run time.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from quizlib.errors import ConfigError

DIGITS_PATH = Path(__file__).resolve().parents[2] / "content" / "data" / "digits.npz"
NAMES = ("moons", "circles", "spirals", "xor", "digits")
N_CLASSES = {"moons": 2, "circles": 2, "spirals": 3, "xor": 2, "digits": 10}


def _check(n, noise, classes=2):
    n = int(n)
    if n < classes:
        raise ConfigError(f"n={n}: need at least {classes} points")
    if n > 1_000_000:
        raise ConfigError(f"n={n}: at most 1,000,000 points")
    if not (0.0 <= float(noise) <= 10.0):
        raise ConfigError(f"noise={noise}: choose a standard deviation between 0 and 10")
    return n, float(noise)


def _split_counts(n, k):
    return [n // k + (i < n % k) for i in range(k)]


def moons(n, noise=0.1, rng=None):
    """Two interleaving half circles (as sklearn's make_moons)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(0) if rng is None else rng
    n0, n1 = _split_counts(n, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]]  # (n, 2)
    y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
    return _shuffle(X + rng.normal(0, noise, X.shape), y, rng)


def circles(n, noise=0.1, rng=None, factor=0.5):
    """An outer circle (class 0) around an inner one of radius `factor` (class 1)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(0) if rng is None else rng
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]]
    y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
    return _shuffle(X + rng.normal(0, noise, X.shape), y, rng)


def spirals(n, noise=0.1, rng=None, classes=3):
    """`classes` arms of a spiral (CS231n's spiral data): class k at angle offset 2πk/classes."""
    n, noise = _check(n, noise, classes)
    rng = np.random.default_rng(0) if rng is None else rng
    Xs, ys = [], []
    for k, m in enumerate(_split_counts(n, classes)):
        r = np.linspace(0.05, 1.0, m)
        t = np.linspace(0, 1.5 * np.pi, m) + 2 * np.pi * k / classes
        Xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(m, k))
    X, y = np.concatenate(Xs), np.concatenate(ys)
    return _shuffle(X + rng.normal(0, noise, X.shape), y, rng)


def xor(n, noise=0.1, rng=None):
    """Points near the four corners (±1, ±1); the label is 1 when the signs differ."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(0) if rng is None else rng
    corner = np.arange(n) % 4
    s = np.c_[np.where(corner & 1, 1.0, -1.0), np.where(corner & 2, 1.0, -1.0)]  # (n, 2)
    y = (s[:, 0] != s[:, 1]).astype(int)
    return _shuffle(s + rng.normal(0, noise, s.shape), y, rng)


def _shuffle(X, y, rng):
    order = rng.permutation(len(y))
    return X[order].astype(float), y[order].astype(int)


def load_digits(scale=True):
    """The 8×8 digits: X (1797, 64) pixel counts 0..16 (÷16 into [0, 1] if scale), y (1797,) int 0..9."""
    with np.load(DIGITS_PATH) as f:
        X, y = f["X"], f["y"]
    return (X / 16.0 if scale else X.astype(float)), y.astype(int)


def train_val_split(X, y, val_fraction=0.5, rng=None):
    """Shuffle once and cut: ((X_train, y_train), (X_val, y_val)); both parts non-empty."""
    if not (0.0 < float(val_fraction) < 1.0):
        raise ConfigError(f"validation fraction {val_fraction} must be strictly between 0 and 1")
    n = len(y)
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val > n - 1:
        raise ConfigError(f"{n} points cannot be split with validation fraction {val_fraction}")
    rng = np.random.default_rng(0) if rng is None else rng
    order = rng.permutation(n)
    tr, va = order[n_val:], order[:n_val]
    return (X[tr], y[tr]), (X[va], y[va])


def make(name, n, noise=0.1, rng=None):
    """(X, y) of a named set; for "digits", n picks a random subset (all 1,797 if n ≥ 1797), noise is ignored."""
    if name not in NAMES:
        raise ConfigError(f"unknown data set {name!r}; choose one of {', '.join(NAMES)}")
    rng = np.random.default_rng(0) if rng is None else rng
    if name == "digits":
        X, y = load_digits()
        if int(n) < 10:
            raise ConfigError(f"n={n}: take at least 10 digits")
        idx = rng.permutation(len(y))[: int(n)]
        return X[idx], y[idx]
    return {"moons": moons, "circles": circles, "spirals": spirals, "xor": xor}[name](n, noise, rng)
