"""Checks of a finished policy search (docs/policy_search.md): does its answer hold?

    python -m sim.studies.policy_search_checks [SWEEP_DIR] [--top 5] [--points 6] [--workers 2]

- **Held-out draws.** The best mixes (the top ``--top`` feasible mixes by the robust first
  objective, the robust best mix of every budget level) and the named scenarios are run on
  parameter draws the search never saw (draws D..2D−1 when it searched draws 0..D−1), with the
  same seeds, and scored the same way: does the chosen mix stay within budget in every held-out
  run, and does it still rank first among them? ``policy_search_holdout.csv``.
- **Lever sweeps through the best mix.** Each of the first ``--levers`` levers (by rank
  correlation with the first objective over the mixes tried) is swept over ``--points``
  evenly spaced values of its bounds, the other levers at the robust best mix's values, on the
  search's own draws and seeds: a brute-force check that no value on those lines does better
  within budget. ``policy_search_lines.csv``.

Every run's gain over the baseline of its draw and seed is cached under ``search/checks/``
(atomic JSON files), so a killed check resumes; baselines share the search's cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runs import store as outputs
from sim.studies import policy_search as ps

CHECKS = "checks"  # under the search folder


def _key(mix: dict[str, float], spec: ps.Spec, draw: int, seed: int) -> str:
    text = f"{json.dumps(mix, sort_keys=True)}|{spec.draws}|{draw}|{seed}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _gain(folder: Path, base: list[str], spec: ps.Spec, mix, draw: int, seed: int) -> dict:
    """Gain of ``mix`` (lever values, or a scenario's name) over the baseline of (draw, seed)."""
    if isinstance(mix, str):
        return ps.scenario_gain(folder, spec, base, mix, draw, seed)
    path = folder / CHECKS / f"{_key(mix, spec, draw, seed)}.json"
    return ps.cached(path, lambda: ps.ModelGains(base, spec, folder / "baseline")(mix, draw, seed))


def evaluate(
    sweep_dir: Path, mixes: dict[str, dict | str], spec: ps.Spec, runs, workers: int = 2
) -> dict[str, list[dict]]:
    """Gains of each named mix on each (draw, seed) of ``runs``, in parallel (joblib)."""
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    folder = Path(sweep_dir) / ps.FOLDER
    base = json.loads((folder / "base_overrides.json").read_text())
    # baselines first, one job each, so parallel mixes never race to write the same one
    Parallel(n_jobs=workers)(
        delayed(ps.ModelGains(base, spec, folder / "baseline").baseline)(d, s) for d, s in runs
    )
    tasks = [(name, d, s) for name in mixes for d, s in runs]
    jobs = Parallel(n_jobs=workers, return_as="generator")(
        delayed(_gain)(folder, base, spec, mixes[name], d, s) for name, d, s in tasks
    )
    tty = sys.stderr.isatty()
    done = list(
        tqdm(jobs, total=len(tasks), desc="check runs", unit="run", mininterval=0.5 if tty else 30)
    )
    out: dict[str, list[dict]] = {name: [] for name in mixes}
    for (name, _, _), gain in zip(tasks, done, strict=True):
        out[name].append(gain)
    return out


def _levers(row: pd.Series, spec: ps.Spec) -> dict[str, float]:
    return {k: float(row[k]) for k in spec.levers}


def _strip_units(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns=lambda c: c.split(" [", 1)[0])


def holdout(sweep_dir: Path, top: int = 5, workers: int = 2) -> pd.DataFrame:
    """The best mixes and the named scenarios on held-out draws, against their search scores."""
    sweep_dir = Path(sweep_dir)
    spec = ps._spec_from_sweep(sweep_dir)
    table = _strip_units(pd.read_csv(sweep_dir / "policy_search.csv"))
    o = spec.objectives[0]
    search = table[table["kind"] == "search"]
    feasible = search[search["feasible"].astype(bool)].sort_values(o, ascending=False)
    chosen = pd.concat([feasible.head(top), search[search["best_at_budget_level"].notna()]])
    chosen = chosen.drop_duplicates("candidate")
    mixes: dict[str, dict | str] = {
        f"mix {int(r['candidate'])}": _levers(r, spec) for _, r in chosen.iterrows()
    }
    mixes |= {s: s for s in ps.SCENARIOS}
    held = replace(spec, draws=2 * spec.draws)
    runs = [(d, s) for d in range(spec.draws, 2 * spec.draws) for s in range(spec.seeds)]
    gains = evaluate(sweep_dir, mixes, held, runs, workers)
    rows = []
    for name, r in gains.items():
        searched = (
            chosen[chosen["candidate"] == int(name.split()[1])].iloc[0]
            if name.startswith("mix")
            else table[(table["kind"] == "scenario") & (table["scenario"] == name)].iloc[0]
        )
        level = searched.get("best_at_budget_level")
        rows.append(
            {"mix": name, "best_at_budget_level": level if pd.notna(level) else None}
            | {f"search_{c}": searched[c] for c in (*spec.objectives, "public_cost_max")}
            | {"search_feasible": bool(searched["feasible"])}
            | {f"heldout_{k}": v for k, v in ps.scored(spec, r).items()}
        )
    out = pd.DataFrame(rows)
    ok = out["heldout_feasible"].astype(bool) & out["mix"].str.startswith("mix")
    out["heldout_rank"] = out[f"heldout_{o}"].where(ok).rank(ascending=False, method="min")
    outputs.write_atomic(sweep_dir / "policy_search_holdout.csv", out.to_csv(index=False).encode())
    return out


def lines(sweep_dir: Path, n_levers: int = 3, points: int = 6, workers: int = 2) -> pd.DataFrame:
    """Sweeps of single levers through the robust best mix (full budget), on the search's runs."""
    sweep_dir = Path(sweep_dir)
    spec = ps._spec_from_sweep(sweep_dir)
    table = _strip_units(pd.read_csv(sweep_dir / "policy_search.csv"))
    o = spec.objectives[0]
    search = table[table["kind"] == "search"]
    best = search[search["best_at_budget_level"] == 1.0]
    if best.empty:
        raise SystemExit("policy search: no mix within the full budget, nothing to sweep around")
    centre = _levers(best.iloc[0], spec)
    corr = search[list(spec.levers)].corrwith(search[o], method="spearman").abs()
    levers = list(corr.sort_values(ascending=False).index[:n_levers])
    mixes: dict[str, dict | str] = {}
    for k in levers:
        lo, hi = spec.levers[k]
        for v in np.linspace(lo, hi, points):
            mixes[f"{k}={float(v):.6g}"] = centre | {k: float(v)}
    gains = evaluate(sweep_dir, mixes, spec, spec.runs, workers)
    rows = [
        {"lever": name.split("=")[0], "value": float(name.split("=")[1])} | ps.scored(spec, r)
        for name, r in gains.items()
    ]
    out = pd.DataFrame(rows)
    out["best_mix"] = int(best.iloc[0]["candidate"])
    out[f"best_mix_{o}"] = float(best.iloc[0][o])
    outputs.write_atomic(sweep_dir / "policy_search_lines.csv", out.to_csv(index=False).encode())
    return out


def summary(spec: ps.Spec, held: pd.DataFrame, line: pd.DataFrame) -> str:
    o = spec.objectives[0]
    unit = ps.OBJECTIVES[o][0]
    out = [f"Held-out draws ({spec.draws}..{2 * spec.draws - 1}), {o} ({unit}):"]
    for _, r in held.iterrows():
        rank = "" if pd.isna(r["heldout_rank"]) else f", rank {int(r['heldout_rank'])}"
        out.append(
            f"  {r['mix']}: search {r[f'search_{o}']:.4g} → held out {r[f'heldout_{o}']:.4g}; "
            f"within budget {'yes' if r['heldout_feasible'] else 'NO'}{rank}"
        )
    b = line[f"best_mix_{o}"].iloc[0]
    out.append(f"Lever lines through mix {int(line['best_mix'].iloc[0])} ({o} {b:.4g}):")
    for lever, g in line.groupby("lever", sort=False):
        ok = g[g["feasible"].astype(bool)]
        top = ok.loc[ok[o].idxmax()] if len(ok) else None
        out.append(
            f"  {lever}: best within budget at {top['value']:.4g}: {top[o]:.4g} "
            f"({(top[o] - b) / abs(b):+.1%})"
            if top is not None
            else f"  {lever}: no value within budget"
        )
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sweep", nargs="?", default="results/sweeps/policy_search")
    ap.add_argument("--top", type=int, default=5, help="best feasible mixes to hold out")
    ap.add_argument("--levers", type=int, default=3, help="levers to sweep through the best mix")
    ap.add_argument("--points", type=int, default=6, help="values per lever line")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    sweep = Path(args.sweep)
    if not (sweep / "policy_search.csv").exists():
        ap.error(f"{sweep}/policy_search.csv not found: run the search first (make search)")
    held = holdout(sweep, args.top, args.workers)
    line = lines(sweep, args.levers, args.points, args.workers)
    print(summary(ps._spec_from_sweep(sweep), held, line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
