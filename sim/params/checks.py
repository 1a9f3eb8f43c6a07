"""Checks of a command line before Hydra runs it: every problem as one paragraph, never a traceback.

``python -m sim.run`` calls :func:`check_command` first; :func:`sim.compose` and
the sweeper call :func:`check_overrides`. What is checked:

- config-group choices (``scenario=``, ``geography=``, ``experiment=``, ``hydra/launcher=``)
  must name a file of their own group: ``scenario=../experiment/x`` cannot load a
  file from elsewhere;
- every key, whatever its prefix (``+``, ``++``), must be in the schema; keys
  cannot be deleted (``~run``);
- the config composes and resolves (``${...}`` interpolations), its values are
  in range, its geography file loads and it fits in memory (single runs; a
  sweep's jobs are checked by the sweeper);
- launcher settings that would fail later (``n_jobs=0``, a Slurm ``timeout_min``
  shorter than submitit's own signal delay) and a results folder that cannot be
  written.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

from sim.params.paths import CONFIG_DIR, GROUPS
from sim.params.schema import ConfigError, schema_fields

SAFE_CHOICE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


def schema_keys() -> set[str]:
    """Every leaf key of the schema and every section above one (``policy``, ``policy.enclave``)."""
    keys: set[str] = set()
    for key, _ in schema_fields():
        parts = key.split(".")
        keys.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return keys


def group_choices(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def _values(override) -> list:
    if override.is_sweep_override():
        return list(override.sweep_string_iterator())
    return [override.value()]


def _check_group(override) -> list[str]:
    group = override.key_or_group
    choices = group_choices(group) if group in GROUPS else None
    problems = []
    for v in _values(override):
        if v is None and group == "experiment":
            continue
        if (
            not isinstance(v, str)
            or not SAFE_CHOICE.match(v)
            or (choices is not None and v not in choices)
        ):
            allowed = (
                ", ".join(choices)
                if choices is not None
                else "a plain name (letters, digits, _ and -)"
            )
            problems.append(
                f"{group} = {v!r} is not a choice of the '{group}' config group; allowed: "
                f"{allowed}."
            )
    return problems


def _check_key(override, known: set[str]) -> list[str]:
    key = override.key_or_group
    if override.is_delete():
        if key == "experiment":
            return []
        return [
            f"~{key}: configuration keys cannot be deleted (every key has a default); set "
            "its value instead."
        ]
    if key in known:
        return []
    hint = difflib.get_close_matches(key, sorted(known), n=1)
    prefix = "++" if override.is_force_add() else "+" if override.is_add() else ""
    return [
        f"{prefix}{key}: unknown configuration key"
        + (f" (did you mean {hint[0]}?)" if hint else "")
        + "; known keys are listed in docs/ODD.md (parameter table)."
    ]


def _leaves_folder(override) -> bool:
    text = (
        override.get_value_element_as_str()
        if not override.is_sweep_override()
        else ",".join(_values(override))
    )
    return text.startswith(("/", "~")) or ".." in Path(text).parts or "\\" in text


def check_overrides(overrides: list[str]) -> None:
    """Refuse overrides that would load files from outside their group, add unknown keys or delete
    keys."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except OverrideParseException as err:
        raise ConfigError(f"Invalid override: {err}") from None
    known, problems = schema_keys(), []
    for o in parsed:
        key = o.key_or_group
        if o.package is not None:
            problems.append(f"{o.input_line}: package overrides (@) are not supported.")
        elif "/" in key or key in GROUPS:
            problems += _check_group(o) if not o.is_delete() or key != "experiment" else []
        elif key == "hydra.sweep.subdir" and _leaves_folder(o):
            problems.append(
                f"{o.input_line}: a job folder must stay inside the sweep folder (no '..', "
                "no absolute path)."
            )
        elif key == "hydra" or key.startswith("hydra."):
            continue
        else:
            problems += _check_key(o, known)
    if problems:
        raise ConfigError("Invalid override:\n  " + "\n  ".join(problems) + "\nNothing was run.")


def check_launcher(hydra_cfg) -> None:
    """Launcher settings that Hydra or submitit would only reject after the sweep started."""
    launcher = hydra_cfg.get("launcher") or {}
    target = str(launcher.get("_target_", ""))
    n_jobs = launcher.get("n_jobs")
    if (
        "Joblib" in target
        and isinstance(n_jobs, int)
        and (n_jobs == 0 or n_jobs < -(os.cpu_count() or 1))
    ):
        raise ConfigError(
            f"hydra.launcher.n_jobs = {n_jobs}: use a number of worker processes >= 1 "
            "(or -1 for one per core). Nothing was run."
        )
    poll = launcher.get("poll_s")
    if poll is not None and (
        isinstance(poll, bool) or not isinstance(poll, (int, float)) or not 0 < poll <= 3600
    ):
        raise ConfigError(
            f"hydra.launcher.poll_s = {poll!r}: the seconds between two looks at the "
            "cluster's queue "
            "must be a number in (0, 3600]. Nothing was run."
        )
    timeout = launcher.get("timeout_min")
    delay = launcher.get("signal_delay_s", 120)
    # submitit signals a job signal_delay_s before its limit: a limit no longer than that fails at
    # once
    if (
        "Slurm" in target
        and isinstance(timeout, (int, float))
        and isinstance(delay, (int, float))
        and timeout * 60 <= delay
    ):
        raise ConfigError(
            f"hydra.launcher.timeout_min = {timeout}: the cluster limit per job must be "
            "longer than "
            f"hydra.launcher.signal_delay_s = {delay:g} s, when submitit warns a job before "
            "its limit "
            f"(with the default 120 s: at least 3 minutes). Nothing was run."
        )


def check_results_folder(folder: str, key: str) -> None:
    """A results folder of its own: not empty, not the project's folder or one of its code
    folders."""
    if not folder.strip():
        raise ConfigError(
            f"{key} is empty: results need a folder of their own (the default is under results/). "
            "Nothing was run."
        )
    path = Path(folder).expanduser().absolute().resolve()
    project = CONFIG_DIR.resolve().parent
    code = {
        project,
        CONFIG_DIR.resolve(),
        Path(__file__).resolve().parents[1],
        Path.home().resolve(),
        Path("/"),
    }
    if path in code:
        raise ConfigError(
            f"{key} = {folder!r} is {path}, a folder of the project or the system, not one of its "
            "own: results would be written among other files. Choose a new folder. Nothing was run."
        )


def check_writable(
    folder: str | Path,
    what: str = "results",
    choose: str = "Choose another folder (hydra.run.dir=... or hydra.sweep.dir=...)",
) -> None:
    """The folder for ``what`` (or the nearest folder that exists above it) must take a file;
    ``choose`` tells the user how to pick another."""
    path = Path(folder).expanduser().absolute()
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(
            f"Cannot write {what} to {path}: {probe} is not a folder. {choose}. Nothing was run."
        )
    test_file = probe / f".sim-write-test.{os.getpid()}"
    try:  # a real write: permission bits say nothing for root or on read-only mounts
        os.close(os.open(test_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        test_file.unlink()
    except OSError as err:
        raise ConfigError(
            f"Cannot write {what} to {path}: {probe} is not writable ({err.strerror or err}). "
            f"{choose}. Nothing was run."
        ) from None


def check_job_config(cfg) -> None:
    """A composed job config, as its job will run it (its parameter point applied by
    :func:`sim.params.point.resolve`): resolvable, in range, with a readable geography,
    small enough for memory."""
    from omegaconf import OmegaConf

    from sim.params.point import resolve

    task = resolve(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]))  # a deep copy
    check_resolved(task)


def check_resolved(cfg) -> None:
    """:func:`check_job_config` for a config whose parameter point is applied already."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from sim.params import schema
    from sim.world import geography

    try:
        job: dict[str, Any] = {
            k: (
                OmegaConf.to_container(cfg[k], resolve=True)
                if OmegaConf.is_config(cfg[k])
                else cfg[k]
            )
            for k in cfg
            if k != "hydra"
        }
    except OmegaConfBaseException as err:
        raise ConfigError(
            f"Invalid configuration: cannot resolve a value: {_first_line(err)}. "
            "Check the ${...} interpolations. Nothing was run."
        ) from None
    schema.validate(job)
    from sim.params.designs import check_design_size

    check_design_size(job["sensitivity"])  # before every job builds it
    if job["geography"]["kind"] == "synthetic":
        geography.check_synthetic_sizes(*geography.synthetic_sizes(job["geography"])[1:])
    check_memory(job)
    if job["geography"]["name"]:
        geography.load_file(job["geography"]["name"])


# Measured peak memory of one model (run.years=1, 2 cores, Python 3.13): ~200 MB of code and
# data, ~0.7 KB per firm, and 8 bytes per county x park pair (the county-to-park distance table).
BASE_BYTES, BYTES_PER_FIRM, BYTES_PER_COUNTY_PARK = 200e6, 700, 8


def estimated_bytes(job: dict) -> float:
    """Peak memory one model of this config needs (a rough, measured estimate)."""
    from sim.world.geography import synthetic_sizes

    g = job["geography"]
    need = BASE_BYTES + BYTES_PER_FIRM * g["n_firms"]
    if g["kind"] == "synthetic":
        n_east, n_west, n_parks = synthetic_sizes(g)
        need += BYTES_PER_COUNTY_PARK * (n_east + n_west) * n_parks
    return need


def available_bytes() -> float:
    """Memory available to new processes now (Linux: MemAvailable), else physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return float("inf")


def check_memory(job: dict) -> None:
    """Refuse sizes that cannot be allocated on this machine before a single array is."""
    need, free = estimated_bytes(job), available_bytes()
    if need > free:
        g = job["geography"]
        raise ConfigError(
            f"geography sizes need about {need / 1e9:.1f} GB for one model "
            f"(n_firms={g['n_firms']}, counties x parks for geography=synthetic), "
            f"but only {free / 1e9:.1f} GB is available. Use smaller sizes. Nothing was run."
        )


def parallel_workers(hydra_cfg, n_jobs: int) -> int:
    """How many jobs of a sweep run at once on this machine under its launcher."""
    launcher = hydra_cfg.get("launcher") or {}
    target, cores = (
        str(launcher.get("_target_", "")),
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
    )
    if "Joblib" in target:
        workers = launcher.get("n_jobs") or 1
        workers = workers if workers > 0 else max(1, cores + 1 + workers)  # joblib: -1 = all cores
    elif "LocalLauncher" in target:
        workers = cores
    else:
        workers = 1
    return max(1, min(workers, n_jobs))


def check_sweep_memory(hydra_cfg, jobs: list[dict], n_jobs: int) -> None:
    """A sweep's largest job against a cluster job's memory limit, or its parallel jobs against this
    machine."""
    need = max(estimated_bytes(j) for j in jobs)
    launcher = hydra_cfg.get("launcher") or {}
    if "Slurm" in str(launcher.get("_target_", "")):
        limit = (launcher.get("mem_gb") or 0) * 1e9
        if limit and need > limit:
            raise ConfigError(
                f"a job of this sweep needs about {need / 1e9:.1f} GB, more than "
                f"hydra.launcher.mem_gb = {launcher.get('mem_gb')}; raise it or use smaller sizes. "
                "Nothing was run."
            )
        return
    workers, free = parallel_workers(hydra_cfg, n_jobs), available_bytes()
    if need * workers > free:
        raise ConfigError(
            f"{workers} jobs at once need about {need * workers / 1e9:.1f} GB, but only "
            f"{free / 1e9:.1f} GB is available; run fewer at once (e.g. hydra.launcher.n_jobs=1) "
            "or use smaller sizes. Nothing was run."
        )


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def compose_command(overrides: list[str], multirun: bool, job_name: str = "app"):
    """The config Hydra will build for this command line (hydra node included); ``job_name`` is
    its ``hydra.job.name`` unless the config sets one (Hydra's default for a composed config is
    'app', for ``@hydra.main`` the task function's module)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException
    from hydra.types import RunMode
    from omegaconf.errors import OmegaConfBaseException

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(
            config_dir=str(CONFIG_DIR), job_name=job_name, version_base="1.3"
        ):
            hydra = GlobalHydra.instance().hydra
            assert hydra is not None  # initialize_config_dir has just made it
            return hydra.compose_config(
                "config",
                list(overrides),
                run_mode=RunMode.MULTIRUN if multirun else RunMode.RUN,
                from_shell=True,
                with_log_configuration=False,
            )
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(
            f"Invalid configuration: {err}\nKnown keys: see docs/ODD.md (parameter table) "
            "or `python -m sim.run --cfg job`. Nothing was run."
        ) from None
    finally:
        GlobalHydra.instance().clear()


def check_command(argv: list[str], job_name: str = "app"):
    """Everything that can be checked before Hydra starts; raises ConfigError or GeographyError.

    Returns the config Hydra will compose for a run or a sweep (hydra node included, its
    ``hydra.job.name`` defaulting to ``job_name``), or None for a command that runs nothing
    (``--help``, ``--info``, ``--cfg``, ...)."""
    from hydra._internal.utils import get_args_parser

    args, _ = get_args_parser().parse_known_args(argv)
    if args.help or args.hydra_help or args.info or args.shell_completion:
        return None
    if args.config_name and ("/" in args.config_name or ".." in args.config_name):
        raise ConfigError(
            f"--config-name {args.config_name}: give the name of a file in the config folder, "
            "not a path. Nothing was run."
        )
    check_overrides(args.overrides)
    cfg = compose_command(args.overrides, args.multirun, job_name)
    check_launcher(cfg.hydra)
    if args.cfg:
        return None
    from omegaconf.errors import OmegaConfBaseException

    try:
        folder = cfg.hydra.sweep.dir if args.multirun else cfg.hydra.run.dir
    except OmegaConfBaseException as err:
        raise ConfigError(f"Invalid results folder: {_first_line(err)}. Nothing was run.") from None
    check_results_folder(str(folder), "hydra.sweep.dir" if args.multirun else "hydra.run.dir")
    check_writable(str(folder))
    if not args.multirun:  # a sweep's jobs are checked by the sweeper, once per swept value
        check_job_config(cfg)
    return cfg
