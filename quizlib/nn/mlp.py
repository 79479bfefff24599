"""The exact NumPy MLP the labs train: layers, losses, gradients and the SGD step (NumPy only).

Conventions (a contract with the lab pages and the tests):
- Rows are samples. `X` is (N, D); `weights[l]` is (fan_in, fan_out), `biases[l]` is 1-D
  (fan_out,); both lists are plain writable arrays. z = a_prev @ W + b.
- init: "glorot" U[−a, a] with a = sqrt(6/(fan_in+fan_out)); "normal" N(0, 1);
  "scaled_normal" N(0, 1/fan_in); "he" N(0, 2/fan_in). Biases start at 0.
- The loss is the MEAN over the batch of: cross-entropy for softmax (integer labels
  0..K−1); cross-entropy for sigmoid outputs (0/1 targets, summed over outputs);
  ½·squared error summed over outputs for linear (loss "mse"), and loss="mse" also with a
  sigmoid output (the slow-learning neuron). Plus (l2/2)·Σ‖W‖² over weight matrices only.
- Dropout p is the probability of DROPPING a hidden unit; inverted dropout: kept units are
  scaled by 1/(1−p) at training, the layer is the identity at inference.
- Batch norm (batchnorm=True) sits between each hidden affine map and its activation:
  train mode uses batch mean and biased variance and updates the running statistics
  (momentum m, unbiased variance ×B/(B−1)); eval mode (forward with train=False) uses them.
  Its γ, β are trained too: loss_and_grads leaves their gradients in `mlp.bn_grads` and
  sgd_step applies them (never decayed).
- sgd_step: W ← W − lr·(grad + weight_decay·W); biases (and γ, β) never decayed. For
  plain SGD weight_decay = λ is the same update as l2 = λ, bit for bit. The exam's other
  convention, W ← (1−λ′)W without the learning rate, equals L2 with λ = λ′/lr
  (`l2_from_decay`, `decay_step`).

Exam symbol ↔ code name: η (eta) = `lr`; λ (lmbda) = `l2` (in the loss) or `weight_decay`
(in the step); λ′ = `decay`; p = `dropout`; α = `label_smoothing`; W_l, b_l = `weights[l]`,
`biases[l]`; z_l = W_l-affine pre-activation `z`; σ(z_l) = the activation `h` (after dropout
it is the next layer's input `a`); δ_l = ∂C/∂z_l (`delta`; δ_L = a − y for a cross-entropy
output); m (batch-norm momentum) = `momentum`; B = batch size; γ, β = `gammas`, `betas`.
Training-mode calls (loss_and_grads, forward(train=True)) draw dropout masks from `rng`
(default: the net's own Generator) and, with batch norm, update the running statistics.

Validation happens where a value enters, once: the constructor checks the architecture,
assigning `dropout` checks p, `targets` checks and prepares the targets, `loss_and_grads`
(the public door) checks its batch and settings and then calls `backprop`, the lean step
with no checks, which a caller holding inputs it validated once (a training Run: data at
construction, settings in its config) calls on every minibatch.
"""
from __future__ import annotations

import math

import numpy as np

from quizlib.errors import ConfigError
from quizlib.nn.layers import (ACTIVATIONS, batchnorm_backward, batchnorm_forward, check_alpha,
                               check_momentum, check_p, dropout_backward, dropout_forward,
                               glorot_uniform, linear_mse, sigmoid_ce, sigmoid_mse, softmax_ce)

OUTPUTS = ("softmax", "sigmoid", "linear")
INITS = ("glorot", "normal", "scaled_normal", "he")
_DEFAULT_LOSS = {"softmax": "ce", "sigmoid": "ce", "linear": "mse"}
_LOSSES = {("softmax", "ce"), ("sigmoid", "ce"), ("sigmoid", "mse"), ("linear", "mse")}


def init_weight(fan_in: int, fan_out: int, init: str, rng: np.random.Generator) -> np.ndarray:
    if init == "glorot":
        return glorot_uniform(fan_in, fan_out, rng)
    std = {"normal": 1.0, "scaled_normal": math.sqrt(1.0 / fan_in), "he": math.sqrt(2.0 / fan_in)}
    if init not in std:
        raise ConfigError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    return rng.normal(0.0, std[init], size=(fan_in, fan_out))  # (fan_in, fan_out)


def check_smoothing(output: str, label_smoothing: float) -> None:
    """Label smoothing needs classes: a softmax or sigmoid output, not a linear one."""
    if label_smoothing and output == "linear":
        raise ConfigError("label smoothing needs class targets (softmax or sigmoid output), not a linear output")


class MLP:
    """A fully connected net: hidden activation on every layer but the last, then `output`."""

    def __init__(self, sizes, hidden="relu", output="softmax", loss=None, init="glorot", seed=0,
                 dropout=0.0, batchnorm=False, momentum=0.1, eps=1e-5):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ConfigError(f"sizes={list(sizes)}: give at least an input and an output size, all ≥ 1")
        if hidden not in ACTIVATIONS:
            raise ConfigError(f"unknown hidden activation {hidden!r}; choose relu, sigmoid or tanh")
        if output not in OUTPUTS:
            raise ConfigError(f"unknown output {output!r}; choose softmax, sigmoid or linear")
        loss = _DEFAULT_LOSS[output] if loss is None else loss
        if (output, loss) not in _LOSSES:
            raise ConfigError(f"loss {loss!r} does not go with a {output} output; use cross-entropy "
                              "('ce') with softmax or sigmoid, 'mse' with sigmoid or linear")
        if output == "softmax" and sizes[-1] < 2:
            raise ConfigError("a softmax output needs at least 2 classes")
        if init not in INITS:
            raise ConfigError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.sizes, self.hidden, self.output, self.loss, self.init = sizes, hidden, output, loss, init
        self.seed = int(seed)
        self.dropout = dropout  # checked by the setter below
        self.batchnorm = bool(batchnorm)
        self.momentum, self.eps = check_momentum(momentum), float(eps)
        self.rng = np.random.default_rng(self.seed)  # init, then the dropout masks when no rng is passed
        self.weights = [init_weight(m, n, init, self.rng) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros(n) for n in sizes[1:]]
        hid = sizes[1:-1] if self.batchnorm else []
        self.gammas = [np.ones(n) for n in hid]
        self.betas = [np.zeros(n) for n in hid]
        self.running_means = [np.zeros(n) for n in hid]
        self.running_vars = [np.ones(n) for n in hid]
        self.bn_grads = ([], [])  # (dgammas, dbetas) of the last loss_and_grads
        self._act_f, self._act_b = ACTIVATIONS[hidden]

    @property
    def dropout(self) -> float:
        """p, the probability of dropping a hidden unit at training; checked whenever it is set."""
        return self._dropout

    @dropout.setter
    def dropout(self, p: float) -> None:
        self._dropout = check_p(p)

    # --- forward ---
    def _forward(self, X, train, rng):
        """Logits of the last layer and the caches backward needs."""
        p = self._dropout
        if train and p > 0.0 and rng is None:
            rng = self.rng
        a, caches, L = X, [], len(self.weights)
        for l in range(L - 1):
            a_in = a  # (N, fan_in) input of layer l
            z = a @ self.weights[l] + self.biases[l]  # (N, H)
            bn = None
            if self.batchnorm:
                z, rm, rv, bn = batchnorm_forward(z, self.gammas[l], self.betas[l], self.running_means[l],
                                                  self.running_vars[l], train, self.momentum, self.eps)
                if train:
                    self.running_means[l], self.running_vars[l] = rm, rv
            h = self._act_f(z)[0]  # (N, H)
            mask = None
            if train and p > 0.0:
                a, mask = dropout_forward(h, p, rng, True)  # mask entries: 0 or 1/(1−p)
            else:
                a = h
            caches.append((a_in, bn, h, mask))  # h: activation before dropout
        z = a @ self.weights[-1] + self.biases[-1]  # (N, K) logits
        caches.append((a, None, None, None))
        return z, caches

    def logits(self, X, train=False, rng=None):
        """Pre-activations of the output layer, (N, K)."""
        return self._forward(np.asarray(X, dtype=float), train, rng)[0]

    def forward(self, X, train=False, rng=None):
        """Probabilities (softmax/sigmoid output) or values (linear output), (N, K)."""
        return self.predict_from_logits(self.logits(X, train, rng))

    def predict_from_logits(self, z):
        if self.output == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        if self.output == "sigmoid":
            return 0.5 * (1.0 + np.tanh(0.5 * z))
        return z

    # --- loss and backward ---
    def targets(self, y, label_smoothing=0.0):
        """Validated targets for data_loss and backprop: int labels (softmax) or a float (N, K) array.

        `label_smoothing` is only checked against the output here (a linear output has no
        classes to smooth); the smoothing itself is applied by data_loss.
        """
        K = self.sizes[-1]
        y = np.asarray(y)
        if self.output == "softmax":
            if y.ndim != 1 or y.dtype.kind not in "iu":
                y = y.reshape(-1)
                if not np.all(y == np.round(y)):
                    raise ConfigError("softmax labels must be integers 0..K−1")
                y = y.astype(np.intp)
            # one pass for both ends: viewed as unsigned, a negative label is ≥ 2^63 > K − 1
            top = y.view(np.uint64) if y.dtype == np.int64 else y.astype(np.uint64)
            if y.size and top.max() >= K:
                raise ConfigError(f"a label is out of range: softmax labels must be in [0, {K - 1}]")
            return y
        t = np.asarray(y, dtype=float).reshape(len(y), -1) if y.ndim == 1 and K == 1 else np.asarray(y, float)
        if t.shape != (len(y), K):
            raise ConfigError(f"targets must be (N, {K}) for {K} {self.output} output(s), got shape {y.shape}")
        if self.output == "sigmoid":
            if t.min() < 0 or t.max() > 1:
                raise ConfigError("sigmoid targets must be in [0, 1]")
        check_smoothing(self.output, label_smoothing)
        return t

    def data_loss(self, z, t, label_smoothing=0.0):
        """(loss, δ_L = ∂loss/∂z_L) of the logits z against prepared targets t (see `targets`)."""
        if self.output == "softmax":
            return softmax_ce(z, t, label_smoothing)
        if self.output == "sigmoid":
            if label_smoothing:  # y(1−α) + α/2, the two-class form of smooth_targets
                t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
            return (sigmoid_ce if self.loss == "ce" else sigmoid_mse)(z, t)
        return linear_mse(z, t)  # no classes to smooth: `targets` and check_smoothing refuse α > 0

    def loss_and_grads(self, X, y, l2=0.0, label_smoothing=0.0, rng=None):
        """(loss, grad_weights, grad_biases) on a batch in train mode (dropout masks, batch statistics).

        The public door: checks the batch, the targets and the settings, then runs `backprop`.
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ConfigError(f"X must be (N, {self.sizes[0]}), got shape {X.shape}")
        if len(y) != X.shape[0]:
            raise ConfigError(f"{X.shape[0]} inputs but {len(y)} targets")
        if label_smoothing:
            label_smoothing = check_alpha(label_smoothing)
        if l2 and not (l2 > 0 and math.isfinite(l2)):
            raise ConfigError(f"l2={l2!r} must be a finite number ≥ 0")
        return self.backprop(X, self.targets(y, label_smoothing), l2, label_smoothing, rng)

    def backprop(self, X, t, l2=0.0, label_smoothing=0.0, rng=None):
        """loss_and_grads without its checks, for inputs validated where they entered.

        X a float (N, D) array, t from `targets`, l2 ≥ 0 and 0 ≤ label_smoothing ≤ 1 finite:
        wrong values here give wrong numbers or NumPy errors, not ConfigError.
        """
        z, caches = self._forward(X, True, rng)
        loss, delta = self.data_loss(z, t, label_smoothing)  # δ = ∂C/∂z of the output layer, (N, K)
        L = len(self.weights)
        gw, gb = [None] * L, [None] * L
        dg, db = [None] * (L - 1), [None] * (L - 1)
        for l in range(L - 1, -1, -1):
            a_prev, bn, h, mask = caches[l]
            gw[l] = a_prev.T @ delta  # (fan_in, fan_out)
            gb[l] = delta.sum(axis=0)  # (fan_out,)
            if l == 0:
                break
            da = delta @ self.weights[l].T  # (N, H) gradient w.r.t. the previous layer's output
            _, bn_prev, h_prev, mask_prev = caches[l - 1]
            if mask_prev is not None:
                da = dropout_backward(da, mask_prev)
            delta = self._act_b(da, h_prev)
            if bn_prev is not None:
                delta, dg[l - 1], db[l - 1] = batchnorm_backward(delta, bn_prev)
        if l2:
            # (l2/2)·Σ‖W‖² adds l2·W to each weight gradient; biases are not penalised
            loss += 0.5 * l2 * sum(float(np.vdot(W, W)) for W in self.weights)
            gw = [g + l2 * W for g, W in zip(gw, self.weights)]
        self.bn_grads = (dg, db) if self.batchnorm else ([], [])
        return float(loss), gw, gb

    def weight_norm(self) -> float:
        """sqrt(Σ_l ‖W_l‖²) over weight matrices (biases excluded, like the L2 term)."""
        return math.sqrt(sum(float(np.vdot(W, W)) for W in self.weights))


def sgd_step(mlp, grad_weights, grad_biases, lr, weight_decay=0.0):
    """In place: W ← W − lr·(grad + weight_decay·W), b ← b − lr·grad_b; biases, γ, β never decayed."""
    if not lr > 0 or not math.isfinite(lr):
        raise ConfigError(f"learning rate {lr!r} must be a positive finite number")
    if weight_decay and not (weight_decay > 0 and math.isfinite(weight_decay)):
        raise ConfigError(f"weight_decay={weight_decay!r} must be a finite number ≥ 0")
    for W, g in zip(mlp.weights, grad_weights):
        W -= lr * (g + weight_decay * W) if weight_decay else lr * g
    for b, g in zip(mlp.biases, grad_biases):
        b -= lr * g
    if mlp.gammas:  # batch norm's γ, β
        for p, g in zip(mlp.gammas + mlp.betas, mlp.bn_grads[0] + mlp.bn_grads[1]):
            p -= lr * g


def l2_from_decay(decay, lr) -> float:
    """λ of the L2 term that W ← (1−λ′)W (decay without the learning rate) amounts to: λ = λ′/lr."""
    if not lr > 0:
        raise ConfigError(f"learning rate {lr!r} must be positive")
    return float(decay) / float(lr)


def decay_step(mlp, grad_weights, grad_biases, lr, decay):
    """The exam's other convention, in place: W ← (1−λ′)·W − lr·grad (λ′ = `decay`, no learning rate).

    Since (1−λ′)W − lr·g = W − lr·(g + (λ′/lr)·W), this is sgd_step with
    weight_decay = l2_from_decay(decay, lr), i.e. L2 in the loss with λ = λ′/lr.
    """
    if not 0.0 <= decay < 1.0:
        raise ConfigError(f"decay λ′={decay!r} must be in [0, 1): W ← (1−λ′)W")
    sgd_step(mlp, grad_weights, grad_biases, lr, l2_from_decay(decay, lr))


def divergence_message(loss, step, reference=None, factor=1e3) -> str | None:
    """None while training looks sane, else the message a lab shows when it blew up.

    Diverged means a non-finite loss, or (given the `reference` loss of the first step) a
    loss above factor·max(reference, 1): with ReLU and a stable log-sum-exp a far too large
    learning rate often gives huge finite losses (and 1e90 weights) long before a NaN.
    """
    if math.isfinite(loss):
        if reference is None or loss <= factor * max(reference, 1.0):
            return None
        return (f"diverged (loss grew from {reference:.3g} to {loss:.3g} by step {step}) "
                "— lower the learning rate")
    what = "NaN" if math.isnan(loss) else "infinite"
    return f"diverged (loss became {what} at step {step}) — lower the learning rate"
