"""The reference the exact engine is checked against: the same system integrated numerically.

Test code only (issue 17: no test-only code in ``src``). It reuses the engine's own splitting of the
inputs into segments and its rate vector, so the two differ only in how each segment is solved.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ketnav.pharmacology.engine import Array, Input, _rate_vector, _segments


def simulate_ode(a: Array, inputs: Sequence[Input], times: Array) -> Array:
    """The same system integrated numerically (scipy LSODA), piece by piece between boluses."""
    from scipy.integrate import solve_ivp

    k = a.shape[0]
    x = np.zeros(k)
    out = np.zeros((len(times), k))
    bounds = _segments(inputs, float(times[-1]) + 1e-9)
    for t0, t1 in itertools.pairwise(bounds):
        for item in inputs:
            if item.duration_min == 0 and abs(item.start_min - t0) < 1e-12:
                x[item.state] += item.amount_mg
        r = _rate_vector(inputs, t0, k)
        mask = (times >= t0) & (times < t1) if t1 < times[-1] + 1e-9 else (times >= t0)
        t_eval = times[mask]

        def rhs(_t: float, y: Array, rate: Array = r) -> Array:
            return np.asarray(a @ y + rate)

        def jac(_t: float, _y: Array) -> Array:
            return a

        if len(t_eval):
            sol = solve_ivp(rhs, (t0, t1), x, method="LSODA", t_eval=t_eval, rtol=1e-9, atol=1e-12, jac=jac)
            out[mask] = sol.y.T
        x = solve_ivp(rhs, (t0, t1), x, method="LSODA", rtol=1e-9, atol=1e-12, jac=jac).y[:, -1]
    return out
