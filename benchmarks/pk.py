"""Speed of the pharmacokinetic engine.

    python benchmarks/pk.py [--repeat 200]

Times one 24-hour simulation at 1-minute resolution (Clements IV infusion and the esketamine nasal
model), and 1,000 virtual patients with the Perez-Ruixo between-subject variability at 1- and 5-minute
resolution. Prints figures; never fails on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import percentile
from ketnav.pharmacology.simulate import Regimen, run, run_population
from ketnav.pharmacology.units import parse_dose


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    iv = Regimen("iv", parse_dose("0.5 mg/kg over 40 min"))
    nasal = Regimen("nasal", parse_dose("84 mg"))
    for label, fn in (
        ("24 h, 1-min steps, Clements IV (1,441 points)", lambda: run("clements", iv, hours=24)),
        ("24 h, 1-min steps, esketamine nasal 84 mg", lambda: run("perez-ruixo", nasal, hours=24)),
    ):
        values = timed(fn, args.repeat)
        print(f"{label}: p50={percentile(values, 50):.2f} ms p95={percentile(values, 95):.2f} ms")
    for step in (5.0, 1.0):
        values = timed(lambda s=step: run_population("perez-ruixo", nasal, n=1000, step_min=s), 5)
        print(
            f"1,000 virtual patients, 24 h, {step:g}-min steps: p50={percentile(values, 50):.0f} ms "
            f"p95={percentile(values, 95):.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
