"""Glorot lab: the bound, and why the scale of the initial weights decides whether a deep net learns.

Glorot (Xavier) uniform for an m×n matrix (m = fan_in, n = fan_out): W ~ U[−b, b] with
b = sqrt(6/(m+n)), biases 0. A uniform on [−b, b] has variance b²/3 = 2/(m+n) (which is
1/n only when m = n). The material's example: 784 inputs, half of them 1, the rest 0,
one hidden neuron z = Σ_j w_j x_j + b with a N(0,1) bias: with N(0,1) weights
var(z) = 392 + 1 = 393 (|z| is large, σ(z) saturates); with N(0, 1/784) weights
var(z) = 392/784 + 1 = 3/2. `depth_stats` pushes one batch through a deep sigmoid/tanh
net under each initialisation and reports, per layer, the activations, their std, the
fraction of saturated units and the gradient norm of the layer's weights.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quizlib import nn
from quizlib.errors import ConfigError
from quizlib.labs.arms import Arms

INITS = ("normal", "scaled_normal", "glorot", "he")
INIT_LABELS = {"normal": "N(0,1)", "scaled_normal": "N(0,1/n)", "glorot": "Glorot", "he": "He N(0,2/n)"}
SATURATION = 0.05  # a unit is saturated when its derivative is below 5 % of the largest possible


def bound(fan_in: int, fan_out: int) -> float:
    """Glorot bound sqrt(6/(m+n)) (nn.glorot_bound)."""
    return nn.glorot_bound(fan_in, fan_out)


def init_weights(kind: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """(fan_in, fan_out) weights drawn as nn.MLP's named initialisation does."""
    return nn.init_weight(fan_in, fan_out, kind, rng)


@dataclass(frozen=True)
class BoundSettings:
    """The bound calculator: an m×n matrix drawn with Glorot uniform."""

    fan_in: int = 784  # m
    fan_out: int = 100  # n
    seed: int = 0

    def validate(self) -> None:
        if not (1 <= self.fan_in <= 5000 and 1 <= self.fan_out <= 5000):
            raise ConfigError(f"m={self.fan_in}, n={self.fan_out}: choose sizes between 1 and 5000")


@dataclass(frozen=True)
class BoundDemo:
    bound: float
    weights: np.ndarray  # (m, n)
    variance: float  # empirical variance of the drawn weights
    theory: float  # b²/3 = 2/(m+n)

    @property
    def largest(self) -> float:
        """max |w| over the drawn matrix: never above the bound b."""
        return float(np.abs(self.weights).max())

    @property
    def one_over_n(self) -> float:
        """1/n, the variance of the rule var(W) = 1/n, equal to 2/(m+n) only when m = n."""
        return 1.0 / self.weights.shape[1]


def bound_demo(s: BoundSettings) -> BoundDemo:
    s.validate()
    w = init_weights("glorot", s.fan_in, s.fan_out, np.random.default_rng(s.seed))
    b = bound(s.fan_in, s.fan_out)
    return BoundDemo(b, w, float(w.var()), b * b / 3)


def histogram_rows(values: np.ndarray, bins: int = 40, **labels) -> list[dict]:
    """Rows (left, right, count, **labels) of a histogram, for an Altair bar chart."""
    counts, edges = np.histogram(np.ravel(values), bins=bins)
    return [{"left": float(edges[i]), "right": float(edges[i + 1]), "count": int(counts[i]), **labels}
            for i in range(bins)]


def var_z_theory(n_inputs: int = 784, weight_var: float = 1.0, bias_var: float = 1.0) -> float:
    """var(z) for half the inputs 1, half 0: (n/2)·var(w) + var(b) (the material's 393 and 3/2)."""
    return (n_inputs // 2) * weight_var + bias_var


def var_z_sample(n_inputs: int, kind: str, rng: np.random.Generator, neurons: int = 4000) -> np.ndarray:
    """z of `neurons` independent hidden neurons for the half-ones input, bias ~ N(0,1) as in the material."""
    x = np.zeros(n_inputs)
    x[: n_inputs // 2] = 1.0
    w = init_weights(kind, n_inputs, neurons, rng)  # (n_inputs, neurons)
    return x @ w + rng.standard_normal(neurons)


@dataclass(frozen=True)
class DepthSettings:
    """The deep net whose activations and gradients are measured."""

    depth: int = 8  # hidden layers
    width: int = 64  # units per hidden layer (and inputs)
    hidden: str = "tanh"  # "sigmoid" | "tanh" (deep sigmoid nets barely train under any init)
    batch: int = 128  # one fixed batch, trained on full-batch
    lr: float = 0.3  # SGD learning rate η of the loss curves
    seed: int = 0

    def validate(self) -> None:
        if not 1 <= self.depth <= 30:
            raise ConfigError(f"depth={self.depth}: choose between 1 and 30 hidden layers")
        if not 2 <= self.width <= 512:
            raise ConfigError(f"width={self.width}: choose between 2 and 512 units")
        if self.hidden not in ("sigmoid", "tanh"):
            raise ConfigError(f"hidden={self.hidden!r}: this lab compares 'sigmoid' and 'tanh'")
        if not 2 <= self.batch <= 4096:
            raise ConfigError(f"batch={self.batch}: choose between 2 and 4096")
        if not np.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate {self.lr:g} must be positive")


def _act(z: np.ndarray, hidden: str) -> tuple[np.ndarray, np.ndarray]:
    """Activation and its derivative relative to the maximum (σ'=a(1−a)≤¼, tanh'=1−a²≤1)."""
    if hidden == "sigmoid":
        a = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        return a, a * (1 - a) / 0.25
    a = np.tanh(z)
    return a, 1 - a * a


@dataclass(frozen=True)
class DepthStats:
    """Per-layer measurements of one initialisation; lists are indexed by hidden layer 1 … L."""

    init: str
    activations: list[np.ndarray]  # (B, width) per layer
    std: list[float]
    saturated: list[float]  # fraction of units whose derivative is < 5 % of the maximum
    grad_norm: list[float]  # ‖∂L/∂W_l‖ of each hidden layer's weights


def backprop(Ws: list[np.ndarray], Wout: np.ndarray, X: np.ndarray, y: np.ndarray, hidden: str):
    """Mean softmax cross-entropy of the bias-free net and ∂L/∂W of every hidden layer.

    Returns (loss, hidden-layer gradients, hidden activations, relative derivatives, ∂L/∂W_out)."""
    acts, ders = [X], []
    for W in Ws:
        a, d = _act(acts[-1] @ W, hidden)  # biases start at 0
        acts.append(a)
        ders.append(d)
    z = acts[-1] @ Wout  # (B, 10) logits
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    B = len(X)
    loss = float(-logp[np.arange(B), y].mean())
    delta = np.exp(logp)
    delta[np.arange(B), y] -= 1.0
    delta /= B  # ∂L/∂z for the mean CE
    grads = [np.zeros_like(W) for W in Ws]
    gout = acts[-1].T @ delta  # (H, 10)
    g = delta @ Wout.T  # ∂L/∂a_L
    scale = 0.25 if hidden == "sigmoid" else 1.0  # undo the relative derivative
    for l in range(len(Ws) - 1, -1, -1):
        dz = g * ders[l] * scale  # δ_l = ∂L/∂a_l ⊙ f'(z_l)
        grads[l] = acts[l].T @ dz
        g = dz @ Ws[l].T
    return loss, grads, acts[1:], ders, gout


def net(s: DepthSettings, kind: str):
    """The lab's data (standard-normal inputs, teacher labels; same for every init) and weights."""
    s.validate()
    rng = np.random.default_rng(s.seed)
    X = rng.standard_normal((s.batch, s.width))  # (B, D)
    y = np.argmax(X @ rng.standard_normal((s.width, 10)), axis=1)  # a linear teacher: learnable labels
    wrng = np.random.default_rng(s.seed + 1)
    Ws = [init_weights(kind, s.width, s.width, wrng) for _ in range(s.depth)]
    return X, y, Ws, init_weights(kind, s.width, 10, wrng)


def depth_stats(s: DepthSettings, kind: str) -> DepthStats:
    """Forward one batch through the net under initialisation `kind` and backpropagate once."""
    X, y, Ws, Wout = net(s, kind)
    _, grads, hidden, ders, _ = backprop(Ws, Wout, X, y, s.hidden)
    return DepthStats(kind, hidden, [float(a.std()) for a in hidden],
                      [float((d < SATURATION).mean()) for d in ders],
                      [float(np.linalg.norm(g)) for g in grads])


def depth_rows(stats: list[DepthStats]) -> list[dict]:
    """Rows (init, layer, std, saturated, grad norm) for line charts over depth."""
    return [{"init": INIT_LABELS[st.init], "layer": l + 1, "activation std": st.std[l],
             "saturated fraction": st.saturated[l], "gradient norm": st.grad_norm[l]}
            for st in stats for l in range(len(st.std))]


class LossArms(Arms):
    """The first few hundred SGD steps of the deep net under each initialisation (one arm each)."""

    every = 5
    live_fields = ("lr",)
    reset_reasons = {"depth": "it changes the network's shape", "width": "it changes the network's shape",
                     "hidden": "the curves compare the initialisations under one activation",
                     "batch": "it redraws the data", "seed": "it redraws the data and the initial weights"}

    def __init__(self, s: DepthSettings):
        s.validate()
        self._nets = {INIT_LABELS[k]: net(s, k) for k in INITS}  # same X, y for every arm
        self._loss: dict[str, float] = {}
        super().__init__(self._nets, s)

    def _step_arm(self, name: str) -> float:
        X, y, Ws, Wout = self._nets[name]
        loss, grads, _, _, gout = backprop(Ws, Wout, X, y, self.settings.hidden)
        self._loss[name] = loss  # the loss at the weights before this step: recorded without a second pass
        if not np.isfinite(loss):
            return loss
        for W, G in zip(Ws, grads):
            W -= self.settings.lr * G  # plain SGD, in place
        Wout -= self.settings.lr * gout
        return loss

    def _measure(self, name: str) -> dict:
        if name in self._loss:
            return {"loss": self._loss[name]}
        X, y, Ws, Wout = self._nets[name]
        return {"loss": backprop(Ws, Wout, X, y, self.settings.hidden)[0]}

    def _apply(self, settings) -> None:
        if not np.isfinite(settings.lr) or settings.lr <= 0:
            raise ConfigError(f"learning rate {settings.lr:g} must be positive")
        self.settings = settings


def bound_latex(m: int, n: int) -> str:
    """The exam's formula with the current numbers."""
    b = bound(m, n)
    return (r"\begin{gathered}"
            rf"W \sim U\left[-\sqrt{{\tfrac{{6}}{{m+n}}}},\ \sqrt{{\tfrac{{6}}{{m+n}}}}\right],\quad "
            rf"\text{{biases}}=0\\ b=\sqrt{{\tfrac{{6}}{{{m}+{n}}}}}={b:.4f},\quad "
            rf"\operatorname{{var}}(W)=\tfrac{{b^2}}{{3}}=\tfrac{{2}}{{m+n}}={b * b / 3:.3g}"
            r"\end{gathered}")


VAR_Z_LATEX = (r"\begin{gathered}"
               r"\operatorname{var}(z)=\sum_{j:\,x_j=1}\operatorname{var}(w_j)+\operatorname{var}(b)\\"
               r"N(0,1):\ 392\cdot 1+1=393\qquad "
               r"N(0,\tfrac{1}{784}):\ 392\cdot\tfrac{1}{784}+1=\tfrac{3}{2}"
               r"\end{gathered}")


def activation_rows(stats: DepthStats, bins: int = 30) -> list[dict]:
    """Histogram rows of every hidden layer's activations, labelled by layer."""
    lo, hi = (0.0, 1.0) if min(a.min() for a in stats.activations) >= 0 else (-1.0, 1.0)
    rows = []
    for l, a in enumerate(stats.activations):
        counts, edges = np.histogram(a, bins=bins, range=(lo, hi))
        rows += [{"layer": l + 1, "left": float(edges[i]), "right": float(edges[i + 1]),
                  "count": int(counts[i])} for i in range(bins)]
    return rows


def z_example(seed: int = 0, n_inputs: int = 784) -> dict:
    """Samples of z for N(0,1) and N(0,1/n) weights, their variance and σ(z)-saturated fraction."""
    rng = np.random.default_rng(seed)
    out = {"rows": [], "summary": {}}
    for kind in ("normal", "scaled_normal"):
        z = var_z_sample(n_inputs, kind, rng)
        _, d = _act(z, "sigmoid")
        out["summary"][INIT_LABELS[kind]] = {"var": float(z.var()), "sat": float((d < SATURATION).mean())}
        out["rows"] += histogram_rows(np.clip(z, -60, 60), bins=60, init=INIT_LABELS[kind])
    return out
