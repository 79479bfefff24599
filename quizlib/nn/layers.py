"""The layers of the NumPy MLP as forward/backward pairs, plus initialisers and targets.

CS231n style: every `*_forward` returns `(out, cache)` and the matching `*_backward(dout,
cache)` returns the gradients, so each gradient sits right under the computation it undoes.
Batches are rows: `x` is `(N, D)`, a weight matrix `(fan_in, fan_out)`. NumPy only (plus
quizlib's own `ConfigError`); `quizlib.nn` re-exports the public part and builds the MLP.
Notation of the material: p = probability of DROPPING a unit, alpha = label smoothing,
m = momentum of the running statistics, B = batch size, eps = the small constant in BN.
"""
from __future__ import annotations

import math

import numpy as np

from quizlib.errors import ConfigError


# --- checks shared by the layers and the MLP (clear messages for the lab pages) ---

def check_p(p: float) -> float:
    """Dropout p must be in [0, 1): at p = 1 nothing survives and 1/(1−p) is undefined."""
    p = float(p)
    if not (0.0 <= p < 1.0):  # also false for NaN
        raise ConfigError(f"dropout p={p:g} must be in [0, 1): p is the probability of dropping a unit; "
                          "at p=1 every unit is dropped and the inverted-dropout scale 1/(1−p) is undefined")
    return p


def check_alpha(alpha: float) -> float:
    """Label smoothing α must be in [0, 1]: the targets (1−α)·one-hot + α/K are a distribution only there."""
    alpha = float(alpha)
    if not (0.0 <= alpha <= 1.0):  # also false for NaN
        raise ConfigError(f"label smoothing α={alpha:g} must be in [0, 1] (α=0 is no smoothing, "
                          "α=1 makes every target uniform and the labels meaningless)")
    return alpha


def check_momentum(momentum: float) -> float:
    momentum = float(momentum)
    if not (0.0 <= momentum <= 1.0):
        raise ConfigError(f"batch-norm momentum={momentum:g} must be in [0, 1] "
                          "(running ← (1−m)·running + m·batch statistic)")
    return momentum


# --- initialisation ---

def glorot_bound(fan_in: int, fan_out: int) -> float:
    """a = sqrt(6/(fan_in+fan_out)): U[−a, a] has variance a²/3 = 2/(fan_in+fan_out)."""
    if int(fan_in) < 1 or int(fan_out) < 1:
        raise ConfigError(f"a layer needs fan_in ≥ 1 and fan_out ≥ 1, got ({fan_in}, {fan_out})")
    return math.sqrt(6.0 / (int(fan_in) + int(fan_out)))


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    a = glorot_bound(fan_in, fan_out)
    return rng.uniform(-a, a, size=(int(fan_in), int(fan_out)))  # (fan_in, fan_out)


# --- targets ---

def smooth_targets(labels, num_classes: int, alpha: float) -> np.ndarray:
    """(1−α)·one-hot + α/K on every class, so each row still sums to 1."""
    alpha = check_alpha(alpha)
    labels = np.asarray(labels)
    K = int(num_classes)
    if K < 1:
        raise ConfigError(f"num_classes={num_classes} must be at least 1")
    if labels.ndim != 1 or (labels.size and (labels.min() < 0 or labels.max() >= K)):
        raise ConfigError(f"labels must be a 1-D array of integers in [0, {K - 1}]")
    t = np.full((labels.size, K), alpha / K)  # (n, K)
    t[np.arange(labels.size), labels.astype(np.intp)] += 1.0 - alpha
    return t


def smooth_binary_targets(y, alpha: float) -> np.ndarray:
    """y(1−α) + α/2: the two-class case of smooth_targets written for one sigmoid output."""
    alpha = check_alpha(alpha)
    return np.asarray(y, dtype=float) * (1.0 - alpha) + alpha / 2.0


# --- activations: the cache is the output a, whose derivative is a function of a ---

def relu_forward(z):
    a = np.maximum(z, 0.0)
    return a, a  # (N, H)


def relu_backward(da, a):
    return da * (a > 0)  # relu'(z) = [z > 0] = [a > 0]


def sigmoid_forward(z):
    # σ(z) = (1 + tanh(z/2))/2: no overflow warning for large |z|
    a = 0.5 * (1.0 + np.tanh(0.5 * z))
    return a, a


def sigmoid_backward(da, a):
    return da * a * (1.0 - a)  # σ' = σ(1−σ)


def tanh_forward(z):
    a = np.tanh(z)
    return a, a


def tanh_backward(da, a):
    return da * (1.0 - a * a)  # tanh' = 1 − tanh²


ACTIVATIONS = {"relu": (relu_forward, relu_backward),
               "sigmoid": (sigmoid_forward, sigmoid_backward),
               "tanh": (tanh_forward, tanh_backward)}


# --- dropout (inverted) ---

def dropout_forward(x, p, rng, train=True):
    """y = m⊙x/(1−p) with m_i ~ Bernoulli(1−p) at training, so E[y] = x; identity at inference."""
    if not train or p == 0.0:
        return x.copy(), None
    keep = 1.0 - p
    mask = (rng.random(x.shape) < keep) / keep  # (N, H): 0 or 1/(1−p)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask


def dropout(x, p, rng, train=True):
    """Inverted dropout of `x` (p = drop probability); returns a new array, `x` is untouched."""
    p = check_p(p)
    return dropout_forward(np.asarray(x, dtype=float), p, rng, train)[0]


# --- batch normalisation ---

def batchnorm_forward(z, gamma, beta, running_mean, running_var, train=True, momentum=0.1, eps=1e-5):
    """Returns (out, new_running_mean, new_running_var, cache); the inputs are not modified.

    train: μ = mean over the batch, σ² = biased batch variance (1/B), ẑ = (z−μ)/sqrt(σ²+eps),
    out = γ⊙ẑ + β; running_mean ← (1−m)·running_mean + m·μ and
    running_var ← (1−m)·running_var + m·σ²·B/(B−1) (the unbiased variance).
    eval: ẑ uses running_mean and running_var; the running statistics stay as they are.
    """
    if train:
        B = z.shape[0]
        if B < 2:
            raise ConfigError("batch norm in train mode needs a batch of at least 2: with B=1 the "
                              "batch variance is 0 and the unbiased factor B/(B−1) is undefined")
        mu = z.mean(axis=0)  # (H,)
        zc = z - mu  # (N, H)
        var = (zc * zc).mean(axis=0)  # (H,) biased
        inv_std = 1.0 / np.sqrt(var + eps)  # (H,)
        zhat = zc * inv_std  # (N, H)
        new_mean = (1.0 - momentum) * running_mean + momentum * mu
        new_var = (1.0 - momentum) * running_var + momentum * var * (B / (B - 1.0))
        return zhat * gamma + beta, new_mean, new_var, (zhat, inv_std, gamma)
    inv_std = 1.0 / np.sqrt(running_var + eps)
    zhat = (z - running_mean) * inv_std
    return zhat * gamma + beta, running_mean.copy(), running_var.copy(), (zhat, inv_std, gamma, "eval")


def batchnorm_backward(dout, cache):
    """dz, dgamma, dbeta. In train mode μ and σ² depend on every row, hence the two sums."""
    zhat, inv_std, gamma = cache[:3]
    dgamma = (dout * zhat).sum(axis=0)  # (H,)
    dbeta = dout.sum(axis=0)  # (H,)
    dzhat = dout * gamma  # (N, H)
    if len(cache) == 4:  # eval mode: fixed statistics, a per-unit affine map
        return dzhat * inv_std, dgamma, dbeta
    B = dout.shape[0]
    dz = (inv_std / B) * (B * dzhat - dzhat.sum(axis=0) - zhat * (dzhat * zhat).sum(axis=0))
    return dz, dgamma, dbeta


def batchnorm(z, gamma, beta, running_mean, running_var, train=True, momentum=0.1, eps=1e-5):
    """Batch norm of a (B, H) batch → (out, new_running_mean, new_running_var); see batchnorm_forward."""
    momentum = check_momentum(momentum)
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ConfigError(f"batch norm expects a (B, H) batch, got shape {z.shape}")
    out, rm, rv, _ = batchnorm_forward(z, np.asarray(gamma, float), np.asarray(beta, float),
                                       np.asarray(running_mean, float), np.asarray(running_var, float),
                                       train, momentum, float(eps))
    return out, rm, rv


# --- losses on the output layer: each returns (loss, dz) with dz = ∂loss/∂(output pre-activation) ---
# (they run on every training step, so they take targets already checked: see MLP.targets)

def softmax_ce(z, y, alpha=0.0):
    """Mean over the batch of −Σ_k t_k log softmax(z)_k; t = one-hot(y) or its smoothed form.

    The max is subtracted before exp (log-sum-exp trick); ∂/∂z = (softmax(z) − t)/N.
    """
    N, K = z.shape
    z = z - z.max(axis=1, keepdims=True)  # (N, K)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)  # (N, 1)
    p = e / s  # (N, K)
    rows = np.arange(N)
    if alpha == 0.0:
        loss = (np.log(s).sum() - z[rows, y].sum()) / N
        p[rows, y] -= 1.0
        p /= N
        return loss, p
    t = np.full((N, K), alpha / K)  # smooth_targets without its checks: the caller validated y and α
    t[rows, y] += 1.0 - alpha
    loss = -(t * (z - np.log(s))).sum() / N
    return loss, (p - t) / N


def sigmoid_ce(z, t):
    """Mean over the batch of Σ_k −[t log σ(z) + (1−t) log(1−σ(z))] = Σ_k softplus(z) − t·z.

    ∂/∂z = (σ(z) − t)/N: the σ' of the output cancels (the material's a − y).
    """
    N = z.shape[0]
    loss = (np.logaddexp(0.0, z) - t * z).sum() / N
    a = 0.5 * (1.0 + np.tanh(0.5 * z))
    return loss, (a - t) / N


def sigmoid_mse(z, t):
    """Mean over the batch of ½Σ_k (σ(z) − t)²; ∂/∂z = (a − t)·σ'(z)/N — σ' makes a saturated neuron slow."""
    N = z.shape[0]
    a = 0.5 * (1.0 + np.tanh(0.5 * z))
    d = a - t
    return 0.5 * (d * d).sum() / N, d * a * (1.0 - a) / N


def linear_mse(z, t):
    """Mean over the batch of ½Σ_k (z − t)²; ∂/∂z = (z − t)/N."""
    N = z.shape[0]
    d = z - t
    return 0.5 * (d * d).sum() / N, d / N
