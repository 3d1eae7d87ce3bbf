"""Published compartment models as frozen parameter sets, each with its citation and validated range.

Every rate here is per minute; volumes in litres; doses in mg. A model turns covariates and a route into
the engine's system matrix and a dose into engine inputs. Values: ../shared/docs/clinical-facts.md
section 1.3; see each model's ``evidence`` for how sure we are of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ketnav.pharmacology.engine import Array, Input

HOUR = 60.0


@dataclass(frozen=True)
class Absorption:
    """Illustrative absorption for a non-IV route of racemic ketamine (first order, bioavailability F)."""

    route: str
    ka_per_min: float
    bioavailability: float
    evidence: str
    citations: tuple[str, ...]


# First-order absorption for the classic IV models (clinical-facts 1.1 and 1.3, "derived, C"): F from the
# cited studies, ka chosen to reproduce the reported Tmax. Illustrative, not a validated popPK model.
RACEMIC_ABSORPTION = {
    "im": Absorption(
        "im", 0.15, 0.93, "F: B (Clements 1982); ka: C (fits Tmax 10-20 min)", ("clements-1982", "zanos-2018")
    ),
    "intranasal": Absorption(
        "intranasal", 0.10, 0.15, "F: A, but sources disagree (11-17% vs 25-50%); ka: C", ("intranasal-pk-2022",)
    ),
    "sublingual": Absorption(
        "sublingual", 0.035, 0.29, "F: A (Rolan 2014, n=8); ka: C (fits Tmax about 45 min)", ("rolan-2014",)
    ),
    "oral": Absorption(
        "oral", 0.02, 0.20, "F: A/B (Clements 1982, 17-20%); ka: C (fits Tmax about 60 min)", ("clements-1982",)
    ),
    "sc": Absorption(
        "sc", 0.05, 0.90, "F: C (no human study; rats: SC close to IM); ka: C", ("le-nedelec-2018", "glue-2017")
    ),
}


@dataclass(frozen=True)
class System:
    a: Array  # (k, k), or (n, k, k) for a virtual population
    names: tuple[str, ...]
    parent: int
    parent_volume: Array  # litres; shape () or (n,)
    metabolite: int | None = None
    metabolite_volume: Array | None = None
    effect: int | None = None  # effect-site state, held in mg/L


@dataclass(frozen=True)
class Covariates:
    weight_kg: float = 70.0
    age_years: float = 40.0


@dataclass(frozen=True)
class PKModel:
    id: str
    name: str
    drug: str  # "racemic ketamine", "S-ketamine", "esketamine"
    structure: str
    routes: tuple[str, ...]
    citations: tuple[str, ...]
    population: str
    weight_range: tuple[float, float]
    age_range: tuple[float, float]
    evidence: str
    metabolite_name: str = ""
    notes: tuple[str, ...] = field(default=())
    iv_min_infusion_min: float = 0.0  # IV doses given faster than this are outside what the model describes
    sampling: str = "venous"  # where the model's concentrations are measured: "venous" or "arterial"

    @property
    def racemic(self) -> bool:
        return self.drug == "racemic ketamine"

    def system(self, route: str, *, cov: Covariates, variability: dict[str, Array] | None = None) -> System:
        raise NotImplementedError

    def inputs(self, route: str, *, amount_mg: float, start_min: float, duration_min: float) -> list[Input]:
        raise NotImplementedError

    def warnings(self, cov: Covariates) -> list[str]:
        out = []
        lo, hi = self.weight_range
        if not lo <= cov.weight_kg <= hi:
            out.append(
                f"A weight of {cov.weight_kg:g} kg is outside the {lo:g}-{hi:g} kg this model was built on; "
                "the result is an extrapolation."
            )
        lo, hi = self.age_range
        if not lo <= cov.age_years <= hi:
            out.append(
                f"An age of {cov.age_years:g} years is outside the {lo:g}-{hi:g} years this model was built on; "
                "the result is an extrapolation."
            )
        return out


def _exchange(a: Array, central: int, peripheral: int, k_out: Array | float, k_back: Array | float) -> None:
    """Distribution between a central and a peripheral compartment, at rates k_out (central to
    peripheral) and k_back; the central compartment's own loss is set by the caller with its other exits."""
    a[:, peripheral, central] = k_out
    a[:, central, peripheral] = k_back
    a[:, peripheral, peripheral] = -k_back


def _scale(variability: dict[str, Array] | None, name: str) -> Array | float:
    return variability[name] if variability and name in variability else 1.0


@dataclass(frozen=True)
class RacemicIVModel(PKModel):
    """Classic racemic models in rate constants (per minute) and V1 per kg, plus an effect site (ke0)."""

    v1_l_per_kg: float = 0.0
    k10: float = 0.0
    k12: float = 0.0
    k21: float = 0.0
    k13: float = 0.0
    k31: float = 0.0
    ke0: float = 0.0

    def system(self, route: str, *, cov: Covariates, variability: dict[str, Array] | None = None) -> System:
        names = ("central", "peripheral1", "peripheral2", "depot", "effect")
        absorption = RACEMIC_ABSORPTION.get(route)
        ka = absorption.ka_per_min if absorption else 0.0
        k10 = self.k10 * np.asarray(_scale(variability, "k10"))
        v1 = self.v1_l_per_kg * cov.weight_kg * np.asarray(_scale(variability, "v1"))
        n = int(np.size(k10)) if np.ndim(k10) else 0
        a = np.zeros((max(n, 1), 5, 5))
        a[:, 0, 0] = -(k10 + self.k12 + self.k13)
        _exchange(a, 0, 1, self.k12, self.k21)
        _exchange(a, 0, 2, self.k13, self.k31)
        # An unused depot (IV) gets a nominal rate: it stays empty, and the matrix keeps distinct,
        # non-zero eigenvalues so the exact solution applies.
        a[:, 3, 3], a[:, 0, 3] = (-ka, ka) if ka else (-1.0, 0.0)
        a[:, 4, 0], a[:, 4, 4] = self.ke0 / v1, -self.ke0  # effect site in mg/L
        if not self.k13:
            a[:, 2, 2] = -1.0  # unused compartment: keep it empty and the matrix well conditioned
        return System(a if n else a[0], names, parent=0, parent_volume=np.asarray(v1), effect=4)

    def inputs(self, route: str, *, amount_mg: float, start_min: float, duration_min: float) -> list[Input]:
        if route == "iv":
            return [Input(0, amount_mg, start_min, duration_min)]
        absorption = RACEMIC_ABSORPTION[route]
        return [Input(3, amount_mg * absorption.bioavailability, start_min, duration_min)]


@dataclass(frozen=True)
class FantaOttoModel(PKModel):
    """S-ketamine (3 compartments) and S-norketamine (2), allometric: V x (WT/70), CL x (WT/70)^0.75."""

    def system(self, route: str, *, cov: Covariates, variability: dict[str, Array] | None = None) -> System:
        names = ("central", "peripheral1", "peripheral2", "depot", "nor_central", "nor_peripheral")
        w = cov.weight_kg / 70.0
        v1 = 133.0 * w * np.asarray(_scale(variability, "v1"))
        cl = 95.2 * w**0.75 / HOUR * np.asarray(_scale(variability, "cl"))
        vp1, q1, vp2, q2 = 187.0 * w, 23.2 * w**0.75 / HOUR, 98.8 * w, 157.0 * w**0.75 / HOUR
        vn, cln, vpn, qn = 98.6 * w, 57.7 * w**0.75 / HOUR, 160.0 * w, 42.8 * w**0.75 / HOUR
        n = int(np.size(cl)) if np.ndim(cl) else 0
        a = np.zeros((max(n, 1), 6, 6))
        a[:, 0, 0] = -(cl + q1 + q2) / v1
        _exchange(a, 0, 1, q1 / v1, q1 / vp1)
        _exchange(a, 0, 2, q2 / v1, q2 / vp2)
        ka = RACEMIC_ABSORPTION["oral"].ka_per_min
        f = 0.08
        a[:, 3, 3], a[:, 0, 3], a[:, 4, 3] = -ka, ka * f, ka * (1 - f)  # first pass forms norketamine
        a[:, 4, 0] = cl / v1  # all S-ketamine clearance forms S-norketamine (the model's assumption)
        a[:, 4, 4] = -(cln + qn) / vn
        _exchange(a, 4, 5, qn / vn, qn / vpn)
        return System(
            a if n else a[0],
            names,
            parent=0,
            parent_volume=np.asarray(v1),
            metabolite=4,
            metabolite_volume=np.asarray(vn),
        )

    def inputs(self, route: str, *, amount_mg: float, start_min: float, duration_min: float) -> list[Input]:
        return [Input(0 if route == "iv" else 3, amount_mg, start_min, duration_min)]


NASAL_DEVICE_MG = 28.0
NASAL_DEVICE_INTERVAL_MIN = 5.0


@dataclass(frozen=True)
class PerezRuixoModel(PKModel):
    """Esketamine nasal spray with noresketamine: nasal and swallowed absorption, a liver compartment
    (first pass), three-compartment esketamine and two-compartment apparent noresketamine."""

    def system(self, route: str, *, cov: Covariates, variability: dict[str, Array] | None = None) -> System:
        names = (
            "nasal",
            "swallowed",
            "oral",
            "central",
            "peripheral1",
            "peripheral2",
            "liver",
            "nor_central",
            "nor_peripheral",
        )
        s = _scale
        vc = 192.0 * np.asarray(s(variability, "vc"))
        vp1 = 143.0 * np.asarray(s(variability, "vp1"))
        vp2, q1, q2 = 417.0, 84.3 / HOUR, 37.6 / HOUR
        qh = (151.0 - 2.19 * max(0.0, cov.age_years - 60.0)) / HOUR * np.asarray(s(variability, "qh"))
        vh = 101.0 * np.asarray(s(variability, "vh"))
        kel = 1.11 / HOUR * np.asarray(s(variability, "kel"))
        kmet = 2.77 / HOUR
        ka_n = 2.93 / HOUR * np.asarray(s(variability, "ka_n"))
        ka_sw, ka_po = 1.45 / HOUR, 0.97 / HOUR
        vcn, cln, vpn, q3 = 70.0, 38.0 / HOUR, 115.0, 26.1 / HOUR
        n = max((int(np.size(x)) for x in (vc, vp1, qh, vh, kel, ka_n) if np.ndim(x)), default=0)
        a = np.zeros((max(n, 1), 9, 9))
        a[:, 0, 0], a[:, 3, 0] = -ka_n, ka_n
        a[:, 1, 1], a[:, 6, 1] = -ka_sw, ka_sw
        a[:, 2, 2], a[:, 6, 2] = -ka_po, ka_po
        a[:, 3, 3] = -(q1 + q2 + qh) / vc
        _exchange(a, 3, 4, q1 / vc, q1 / vp1)
        _exchange(a, 3, 5, q2 / vc, q2 / vp2)
        a[:, 6, 3], a[:, 3, 6] = qh / vc, qh / vh
        a[:, 6, 6] = -(qh / vh + kel + kmet)
        a[:, 7, 6] = kmet
        a[:, 7, 7] = -(cln + q3) / vcn
        _exchange(a, 7, 8, q3 / vcn, q3 / vpn)
        return System(
            a if n else a[0],
            names,
            parent=3,
            parent_volume=np.asarray(vc),
            metabolite=7,
            metabolite_volume=np.asarray(vcn),
        )

    def inputs(self, route: str, *, amount_mg: float, start_min: float, duration_min: float) -> list[Input]:
        fgut = 0.64
        if route == "iv":
            return [Input(3, amount_mg, start_min, duration_min)]
        if route == "oral":
            return [Input(2, amount_mg * fgut, start_min, 0.32 * HOUR)]
        # Nasal: 28-mg devices 5 minutes apart; each absorbs FRn nasally (0.54, x0.62 after the first spray
        # of a session) and the rest is swallowed (zero order over 0.53 h, then first-pass).
        out = []
        devices = max(1, round(amount_mg / NASAL_DEVICE_MG))
        per_device = amount_mg / devices
        for j in range(devices):
            frn = 0.54 * (0.62 if j else 1.0)
            t = start_min + j * NASAL_DEVICE_INTERVAL_MIN
            out.append(Input(0, per_device * frn, t))
            out.append(Input(1, per_device * (1 - frn) * fgut, t, 0.53 * HOUR))
        return out


# Kamp 2020's general model per 70 kg (opentiva's transcription, class Klamp): volumes and clearances
# scale linearly with weight there, so the rate constants below do not depend on weight.
_KAMP_V1, _KAMP_V2, _KAMP_V3 = 25.0, 56.0, 157.0  # litres per 70 kg
_KAMP_CL, _KAMP_Q2, _KAMP_Q3 = 84.0 / HOUR, 161.0 / HOUR, 79.0 / HOUR  # litres per minute per 70 kg

MODELS: dict[str, PKModel] = {
    m.id: m
    for m in (
        RacemicIVModel(
            id="clements",
            name="Clements (2-compartment, racemic ketamine)",
            drug="racemic ketamine",
            structure="2-compartment + effect site",
            routes=("iv", "im", "sublingual", "oral", "sc"),
            citations=("clements-1981",),
            population="adult patients (Clements & Nimmo 1981)",
            weight_range=(45, 110),
            age_range=(18, 70),
            evidence="B: parameters transcribed by the opentiva package; implied clearance about 80 L/h matches "
            "the Kamp 2020 meta-analysis (79 L/h)",
            v1_l_per_kg=1.7522,
            k10=0.0109,
            k12=0.0186,
            k21=0.0137,
            ke0=5.2,
            iv_min_infusion_min=10.0,
            notes=(
                "Default model for IV infusions of 10 minutes or longer (it matches the 0.5 mg/kg over 40 min "
                "studies).",
                "Its large central volume (1.75 L/kg) spreads a fast dose out: after a 1-minute IV dose it predicts "
                "about 80 ng/mL where about 300 was measured, so IV doses faster than 10 minutes and intranasal "
                "doses use the kamp model instead.",
            ),
        ),
        RacemicIVModel(
            id="kamp",
            name="Kamp (3-compartment, arterial, racemic ketamine)",
            drug="racemic ketamine",
            structure="3-compartment (arterial central compartment) + effect site",
            routes=("iv", "intranasal"),
            citations=("kamp-2020",),
            population="pooled raw data from 14 studies (Kamp 2020)",
            weight_range=(45, 110),
            age_range=(18, 70),
            evidence="B: the opentiva package's transcription of Kamp 2020 (without its venous delay compartments); "
            "checked against a 10 mg 1-minute IV dose and 50 mg intranasal (Pharmacotherapy 2022, Table 6)",
            v1_l_per_kg=_KAMP_V1 / 70.0,
            k10=_KAMP_CL / _KAMP_V1,
            k12=_KAMP_Q2 / _KAMP_V1,
            k21=_KAMP_Q2 / _KAMP_V2,
            k13=_KAMP_Q3 / _KAMP_V1,
            k31=_KAMP_Q3 / _KAMP_V3,
            ke0=2.791,
            sampling="arterial",
            notes=(
                "Model for fast inputs: IV boluses and short infusions, and intranasal racemic ketamine.",
                "Concentrations are arterial. During longer infusions arterial levels run above the venous levels "
                "most studies report (for 0.5 mg/kg over 40 min it gives about 250 ng/mL where about 185 was "
                "measured in venous blood), so use clements for those.",
            ),
        ),
        RacemicIVModel(
            id="domino",
            name="Domino (3-compartment, racemic ketamine)",
            drug="racemic ketamine",
            structure="3-compartment + effect site",
            routes=("iv",),
            citations=("domino-1982",),
            population="adult subjects (Domino 1982)",
            weight_range=(45, 110),
            age_range=(18, 70),
            evidence="B: parameters transcribed by opentiva and fus_anes",
            v1_l_per_kg=0.063,
            k10=0.4381,
            k12=0.5921,
            k21=0.2470,
            k13=0.5900,
            k31=0.0146,
            ke0=0.652,
            iv_min_infusion_min=10.0,
            notes=(
                "For IV infusions of 10 minutes or longer only: its tiny central volume (0.063 L/kg) makes any "
                "faster input, or any other route, give impossible early peaks (an IM 0.5 mg/kg dose came out at "
                "575 ng/mL at 2 minutes).",
            ),
        ),
        FantaOttoModel(
            id="fanta-otto",
            name="S-ketamine + S-norketamine (Fanta 2015, as fixed in Otto 2021)",
            drug="S-ketamine",
            structure="3-compartment parent, 2-compartment metabolite",
            routes=("iv", "oral"),
            citations=("fanta-2015", "otto-2021"),
            population="11 healthy men",
            weight_range=(55, 100),
            age_range=(18, 50),
            evidence="B: nlmixr2lib transcription; oral absorption rate is our assumption (C)",
            metabolite_name="S-norketamine",
            notes=(
                "Doses are mg of S-ketamine (half of a racemic dose).",
                "Oral: 8% reaches the circulation; we route the rest through first-pass metabolism to "
                "norketamine, consistent with the high norketamine exposure after oral dosing.",
            ),
        ),
        PerezRuixoModel(
            id="perez-ruixo",
            name="Esketamine nasal spray + noresketamine (Perez-Ruixo 2021)",
            drug="esketamine",
            structure="nasal and swallowed absorption, liver first pass, 3-compartment parent, 2-compartment "
            "apparent metabolite",
            routes=("nasal", "iv", "oral"),
            citations=("perez-ruixo-2021",),
            population="820 healthy volunteers and patients with TRD",
            weight_range=(39, 170),
            age_range=(18, 86),
            evidence="B: Table 3 values via nlmixr2lib; its authors note noresketamine AUC is over-predicted "
            "about 1.4-1.6 fold",
            metabolite_name="noresketamine",
            notes=("84 mg = three 28-mg devices 5 minutes apart.",),
        ),
    )
}

# Between-subject variability (coefficient of variation) used for virtual populations: Perez-Ruixo 2021
# Table 3 for the esketamine model; none is published for the classic models in our sources.
VARIABILITY_CV: dict[str, dict[str, float]] = {
    "perez-ruixo": {"vc": 0.275, "vp1": 0.493, "qh": 0.232, "kel": 1.20, "ka_n": 0.615},
}


def sample_variability(model_id: str, *, n: int, seed: int = 1) -> dict[str, Array]:
    """Log-normal multipliers with the published coefficients of variation."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, cv in VARIABILITY_CV.get(model_id, {}).items():
        omega = float(np.sqrt(np.log(1 + cv**2)))
        out[name] = np.exp(rng.normal(0.0, omega, n))
    return out
