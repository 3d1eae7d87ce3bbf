"""``ketnav pk models`` and ``ketnav pk simulate``: educational pharmacokinetic simulations."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ketnav.errors import InvalidInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="pk_command", metavar="ACTION", required=True)
    models = sub.add_parser("models", help="list the published models and their sources")
    models.add_argument("--json", action="store_true")
    sim = sub.add_parser("simulate", help="simulate plasma concentrations (educational)")
    sim.add_argument(
        "--model",
        required=True,
        help="clements (IV infusions of 10 min or more, IM, SC, sublingual, oral), kamp (IV boluses and short "
        "infusions, intranasal), domino (IV infusions of 10 min or more), fanta-otto (S-ketamine) or "
        "perez-ruixo (esketamine nasal spray)",
    )
    sim.add_argument("--route", required=True, help="iv, im, nasal, intranasal, sublingual, oral or sc")
    sim.add_argument("--dose", required=True, help='e.g. "0.5 mg/kg", "35 mg", "0.5 mg/kg over 40 min", "84 mg"')
    sim.add_argument("--over", default=None, metavar="DURATION", help='infusion time, e.g. "40 min"')
    sim.add_argument("--weight", type=float, required=True, metavar="KG", help="body weight in kg")
    sim.add_argument("--age", type=float, default=40.0, help="age in years (default 40)")
    sim.add_argument(
        "--hours", type=float, default=24.0, help="how long to simulate; the AUC is taken over this window (default 24)"
    )
    sim.add_argument("--every", type=float, default=None, metavar="HOURS", help="repeat the dose every HOURS")
    sim.add_argument("--times", type=int, default=1, help="number of doses (with --every)")
    sim.add_argument("--json", action="store_true", help="print the figures and the curve as JSON")
    sim.add_argument("--plot", type=Path, default=None, metavar="FILE.svg", help="write the curve as SVG")


def run(args: argparse.Namespace) -> int:
    from ketnav.pharmacology.serialize import EDUCATIONAL, models_dict, simulation_dict

    if args.pk_command == "models":
        models = models_dict()
        if args.json:
            print(json.dumps(models, indent=2))
        else:
            for m in models:
                routes = ", ".join(m["routes"])
                print(f"{m['id']:<12} {m['name']}\n{'':<12} routes: {routes}; evidence: {m['evidence']}")
        return 0
    from ketnav.pharmacology.simulate import Regimen
    from ketnav.pharmacology.simulate import run as simulate
    from ketnav.pharmacology.units import parse_dose_over

    dose = parse_dose_over(args.dose, args.over, over_field="--over")
    sim = simulate(
        args.model,
        Regimen(args.route.lower(), dose, args.every, args.times),
        weight_kg=args.weight,
        age_years=args.age,
        hours=args.hours,
    )
    if args.plot:
        from ketnav.pharmacology.plot import overlay_svg

        try:
            args.plot.write_text(
                overlay_svg([(f"{sim.model.name}: {dose}", sim)], title="Educational simulation", metabolite=True),
                encoding="utf-8",
            )
        except OSError as exc:
            raise InvalidInput(f"--plot: cannot write {args.plot} ({exc.strerror})") from None
    data = simulation_dict(sim)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(EDUCATIONAL)
    for warning in sim.warnings:
        print(f"warning: {warning}")
    for caveat in sim.caveats:
        print(f"note: {caveat}")
    print(f"{sim.model.name}, {args.route} {dose} ({sim.dose_mg:g} mg at {args.weight:g} kg)")
    print(
        f"Cmax {data['cmax_ng_ml']:.1f} ng/mL at {data['tmax_min']:g} min; AUC(0-{data['auc_window_h']:g} h) "
        f"{data['auc_ng_h_ml']:.1f} ng·h/mL; terminal half-life "
        f"{data['half_life_h'] if data['half_life_h'] is not None else '-'} h"
    )
    return 0
