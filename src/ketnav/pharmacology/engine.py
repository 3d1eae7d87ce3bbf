"""A linear compartment-model engine: exact solutions (sums of exponentials).

The system is dx/dt = A x + r(t), with A holding first-order transfer and elimination rates (per minute)
and r piecewise constant (zero-order infusions). Boluses add to a state at an instant. Between input
changes the solution is exact: with A = V diag(l) V^-1, x(t) = V [e^(l t) * (V^-1 x0 + r~) ] - V r~,
where r~ = (V^-1 r) / l. That is the classic sum of exponentials, vectorized over all output times of a
segment and over virtual patients. If A is defective (repeated eigenvalues) the engine steps with the
matrix exponential instead. The tests check it against the same system integrated numerically
(tests/pharmacology/ode_reference.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Input:
    """Mass into one state: a bolus (duration 0) or a constant-rate input over ``duration`` minutes."""

    state: int
    amount_mg: float
    start_min: float
    duration_min: float = 0.0

    @property
    def rate(self) -> float:
        return self.amount_mg / self.duration_min if self.duration_min > 0 else 0.0


def _segments(inputs: Sequence[Input], end: float) -> list[float]:
    points = {0.0, end}
    for item in inputs:
        if 0 <= item.start_min < end:
            points.add(item.start_min)
        if item.duration_min > 0 and item.start_min + item.duration_min < end:
            points.add(item.start_min + item.duration_min)
    return sorted(points)


def _rate_vector(inputs: Sequence[Input], t0: float, size: int) -> Array:
    r = np.zeros(size)
    for item in inputs:
        if item.duration_min > 0 and item.start_min <= t0 < item.start_min + item.duration_min - 1e-12:
            r[item.state] += item.rate
    return r


def simulate(a: Array, inputs: Sequence[Input], times: Array) -> Array:
    """States at ``times`` (minutes, ascending, from 0). ``a`` is (k, k) or (n, k, k) for n patients;
    the result is (len(times), k) or (n, len(times), k)."""
    batched = a.ndim == 3
    a3 = a if batched else a[None]
    n, k, _ = a3.shape
    eigval, vec = np.linalg.eig(a3)
    cond = np.linalg.cond(vec)
    if not np.all(np.isfinite(cond)) or np.max(cond) > 1e8 or np.any(np.abs(eigval) < 1e-12):
        out = _simulate_expm(a3, inputs, times)
        return out if batched else out[0]
    inv = np.linalg.inv(vec)
    x = np.zeros((n, k), dtype=complex)
    out = np.zeros((n, len(times), k))
    bounds = _segments(inputs, float(times[-1]) + 1e-9)
    for t0, t1 in itertools.pairwise(bounds):
        for item in inputs:
            if item.duration_min == 0 and abs(item.start_min - t0) < 1e-12:
                x[:, item.state] += item.amount_mg
        r = _rate_vector(inputs, t0, k)
        r_t = np.einsum("nij,j->ni", inv, r) / eigval  # (n, k) in eigen-coordinates
        z0 = np.einsum("nij,nj->ni", inv, x) + r_t
        mask = (times >= t0) & (times < t1) if t1 < times[-1] + 1e-9 else (times >= t0)
        if np.any(mask):
            dt = times[mask] - t0
            z = np.exp(eigval[:, None, :] * dt[None, :, None]) * z0[:, None, :] - r_t[:, None, :]
            out[:, mask, :] = np.real(np.einsum("nij,ntj->nti", vec, z))
        z_end = np.exp(eigval * (t1 - t0)) * z0 - r_t
        x = np.einsum("nij,nj->ni", vec, z_end)
    return out if batched else out[0]


def _simulate_expm(a3: Array, inputs: Sequence[Input], times: Array) -> Array:
    from scipy.linalg import expm

    n, k, _ = a3.shape
    out = np.zeros((n, len(times), k))
    for p in range(n):
        x = np.zeros(k)
        grid = sorted(set(times.tolist()) | set(_segments(inputs, float(times[-1]))))
        cache: dict[float, tuple[Array, Array]] = {}
        record = {float(t): i for i, t in enumerate(times)}
        previous = 0.0
        for t in grid:
            h = t - previous
            if h > 0:
                if h not in cache:
                    block = np.zeros((2 * k, 2 * k))
                    block[:k, :k] = a3[p] * h
                    block[:k, k:] = np.eye(k) * h
                    e = expm(block)
                    cache[h] = (e[:k, :k], e[:k, k:])
                phi, psi = cache[h]
                x = phi @ x + psi @ _rate_vector(inputs, previous, k)
            for item in inputs:
                if item.duration_min == 0 and abs(item.start_min - t) < 1e-12:
                    x[item.state] += item.amount_mg
            if t in record:
                out[p, record[t]] = x
            previous = t
    return out
