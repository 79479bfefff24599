"""The NumPy network the labs train (NumPy only): the MLP, its layers, the training loop, the data sets.

`mlp` holds the MLP, the SGD and weight-decay steps and the divergence test; `layers` the
forward/backward pairs, losses and initialisers; `training` the stepwise run with history
the lab pages drive; `datasets` the small synthetic and shipped data. The names below are the
public door (`quizlib.nn.MLP`, `quizlib.nn.sgd_step`, `quizlib.nn.glorot_bound`, …); the
conventions (shapes, losses, which probability dropout means) are in `mlp`'s docstring.
"""
from quizlib.nn.layers import (ACTIVATIONS, batchnorm, batchnorm_backward, batchnorm_forward, check_alpha,
                               check_momentum, check_p, dropout, dropout_backward, dropout_forward, glorot_bound,
                               glorot_uniform, linear_mse, relu_backward, relu_forward, sigmoid_backward,
                               sigmoid_ce, sigmoid_forward, sigmoid_mse, smooth_binary_targets, smooth_targets,
                               softmax_ce, tanh_backward, tanh_forward)
from quizlib.nn.mlp import (INITS, MLP, OUTPUTS, check_smoothing, decay_step, divergence_message, init_weight,
                            l2_from_decay, sgd_step)

__all__ = [
    "ACTIVATIONS", "INITS", "MLP", "OUTPUTS", "batchnorm", "batchnorm_backward", "batchnorm_forward", "check_alpha",
    "check_momentum", "check_p", "check_smoothing", "decay_step", "divergence_message", "dropout", "dropout_backward",
    "dropout_forward", "glorot_bound", "glorot_uniform", "init_weight", "l2_from_decay", "linear_mse",
    "relu_backward", "relu_forward", "sgd_step", "sigmoid_backward", "sigmoid_ce", "sigmoid_forward",
    "sigmoid_mse", "smooth_binary_targets", "smooth_targets", "softmax_ce", "tanh_backward", "tanh_forward",
]
