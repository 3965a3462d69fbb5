"""Multinomial logistic regression in NumPy: small, deterministic, nothing to download.

One model per fact, trained full-batch with Adam from zeros for a fixed number of steps, so
the same data gives the same weights on any machine (up to floating-point summation order,
which `advisor train reader --check` tolerates).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    steps: int = 300
    learning_rate: float = 0.005
    l2: float = 1e-3
    none_weight_cap: float = 1.0  # the "states nothing" class is never up-weighted


@dataclass(frozen=True, slots=True)
class Softmax:
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def balanced_weights(labels: np.ndarray, classes: int, none_cap: float) -> np.ndarray:
    """Per-example weights that give each class equal total weight (class 0 capped)."""
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    per_class = np.where(counts > 0, counts.sum() / (classes * np.maximum(counts, 1)), 1.0)
    per_class[0] = min(per_class[0], none_cap)
    weights = per_class[labels]
    return (weights / weights.mean()).astype(np.float32)


def fit(rows: np.ndarray, labels: np.ndarray, classes: int, options: TrainingOptions) -> Softmax:
    """Weights minimising the class-balanced cross-entropy plus an L2 penalty."""
    return fit_many(rows, [(labels, classes)], options)[0]


def fit_many(
    rows: np.ndarray, tasks: list[tuple[np.ndarray, int]], options: TrainingOptions
) -> list[Softmax]:
    """One softmax per task (labels, classes), trained together: the same steps as `fit`
    for each task, but one matrix product per step for all of them (the rows are read once,
    which is what the time goes into)."""
    n, d = rows.shape
    widths = [classes for _labels, classes in tasks]
    starts = np.cumsum([0, *widths])
    weights = np.zeros((d, starts[-1]), dtype=np.float32)
    bias = np.zeros(starts[-1], dtype=np.float32)
    onehot = np.hstack([np.eye(c, dtype=np.float32)[labels] for labels, c in tasks])
    example = np.hstack(
        [
            np.repeat(balanced_weights(labels, c, options.none_weight_cap)[:, None] / n, c, axis=1)
            for labels, c in tasks
        ]
    )
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias)]
    moments.append(np.zeros_like(bias))
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, options.steps + 1):
        logits = rows @ weights + bias
        probs = np.empty_like(logits)
        for a, b in itertools.pairwise(starts):
            block = logits[:, a:b] - logits[:, a:b].max(axis=1, keepdims=True)
            exp = np.exp(block)
            probs[:, a:b] = exp / exp.sum(axis=1, keepdims=True)
        error = (probs - onehot) * example
        grad_w = rows.T @ error + options.l2 * weights
        grad_b = error.sum(axis=0)
        for i, (param, grad) in enumerate(((weights, grad_w), (bias, grad_b))):
            m, v = moments[2 * i], moments[2 * i + 1]
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= (
                options.learning_rate
                * (m / (1 - beta1**step))
                / (np.sqrt(v / (1 - beta2**step)) + eps)
            )
    return [
        Softmax(weights[:, a:b].copy(), bias[a:b].copy()) for a, b in itertools.pairwise(starts)
    ]
