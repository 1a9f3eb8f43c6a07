"""The calibration's result as data files: its point estimate and its parameter draws.

Every calibration writes ``point.yaml`` and ``draws.yaml`` into its results folder
(``results/calibration/<geography>/<budget>/``). Only :func:`install`, called for a
full-budget fit, copies them over the shipped ones beside the geography
(``sim/world/<geography>/``), which the configs read; the files it replaces are kept
in the results folder (``replaced/``) and listed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from sim.world.geography import WORLD_DIR

FILES = ("point.yaml", "draws.yaml")


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_point(geography: str, point: dict, provenance: str, folder: Path) -> Path:
    """``folder/point.yaml``: the point estimate (dotted key → value) the configs read."""
    head = (
        f"# The calibrated point estimate of {geography} (docs/calibration.md), written by `make "
        "calibrate`.\n"
        f"# configs/calibration/{geography}.yaml reads the behaviour from here, "
        f"configs/geography/{geography}.yaml the pool size.\n"
    )
    doc = {"calibration": geography, "produced_by": provenance, "values": dict(point)}
    path = Path(folder) / "point.yaml"
    atomic_write(path, head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def write_draws(geography: str, draws: list[dict], provenance: str, folder: Path) -> Path:
    """``folder/draws.yaml``: equally weighted parameter draws (the rows of the draws design)."""
    doc = {
        "calibration": geography,
        "produced_by": provenance,
        "note": "equally weighted draws resampled from the final ABC-SMC population; run.draw=k "
        "applies draw k",
        "draws": [{"draw": i, **d} for i, d in enumerate(draws)],
    }
    path = Path(folder) / "draws.yaml"
    atomic_write(path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def install(
    geography: str, run_dir: Path, world_dir: Path = WORLD_DIR
) -> list[tuple[Path, Path | None]]:
    """Copy the run's point.yaml and draws.yaml over the shipped ones of ``geography``.

    Returns (installed file, where the file it replaced was kept, or None) per file.
    """
    target_dir, kept_dir = Path(world_dir) / geography, Path(run_dir) / "replaced"
    done = []
    for name in FILES:
        target = target_dir / name
        kept = None
        if target.exists():
            kept = kept_dir / name
            kept_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, kept)
        atomic_write(target, (Path(run_dir) / name).read_text(encoding="utf-8"))
        done.append((target, kept))
    return done
