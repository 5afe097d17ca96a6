"""An ablation sweep file: what ``coderl ablate`` runs. Loading validates it up front, naming the file and key.

    stage: grpo                         # or sft
    base: recipes/tiny-cpu/grpo.yaml    # the stage recipe every cell starts from
    out: runs/ablation/tiny-cpu         # default output folder (--out overrides)
    setup:                              # coderl commands run first, each only when its `creates` path is missing
      - {creates: runs/suite/train.jsonl, run: data synth --out runs/suite}
    overrides: {max_steps: 4}           # fields set in every cell
    grid: {loss_type: [dapo, grpo], dynamic_sampling: [false, true]}   # the cells: every combination
    seeds: [0, 1]
    eval: {problems: runs/suite/heldout.jsonl, n: 4, ks: [1, 4], max_new_tokens: 64, temperature: 1.0, limit: 16}

Keys of ``overrides`` and ``grid`` must be fields of the stage's script arguments, trainer config or TRL's
``ModelConfig``; ``config``, ``output_dir``, ``seed`` and ``resume_from_checkpoint`` are set by the runner.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# stage -> (script arguments class, trainer config class) in rl.configs
STAGES: dict[str, tuple[str, str]] = {
    "grpo": ("GRPOScriptArguments", "CoderlGRPOConfig"),
    "sft": ("SFTScriptArguments", "CoderlSFTConfig"),
}
RESERVED = ("config", "output_dir", "seed", "resume_from_checkpoint")
TOP_KEYS = ("stage", "base", "out", "setup", "overrides", "grid", "seeds", "eval")
EVAL_KEYS = ("problems", "n", "ks", "max_new_tokens", "temperature", "top_p", "limit", "batch_size")


class SweepError(ValueError):
    """A sweep file that cannot be run; the message names the file, the key and what is allowed."""


@dataclass
class EvalSpec:
    problems: str
    n: int = 4
    ks: list[int] = field(default_factory=lambda: [1])
    max_new_tokens: int = 256
    temperature: float = 1.0
    top_p: float = 1.0
    limit: int | None = None
    batch_size: int = 8


@dataclass
class SetupStep:
    creates: str
    argv: list[str]


@dataclass
class Cell:
    """One combination of grid values."""

    overrides: dict

    @property
    def name(self) -> str:
        return ",".join(f"{k}={cli_text(v)}" for k, v in self.overrides.items())

    @property
    def slug(self) -> str:
        """The cell's folder name: its name with anything unsafe in a path replaced."""
        return re.sub(r"[^A-Za-z0-9._=,+-]", "_", self.name)[:200]


@dataclass
class Sweep:
    path: Path
    stage: str
    base: Path
    grid: dict[str, list]
    seeds: list[int]
    eval: EvalSpec
    overrides: dict = field(default_factory=dict)
    setup: list[SetupStep] = field(default_factory=list)
    out: str | None = None

    def cells(self) -> list[Cell]:
        return expand_grid(self.grid)


def cli_text(value) -> str:
    """A value as the command line spells it (YAML's ``true`` -> ``true``, lists space-separated)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(cli_text(v) for v in value)
    return str(value)


def cli_args(overrides: dict) -> list[str]:
    """``{"loss_type": "dapo", "reward_funcs": ["a", "b"]}`` -> ``--loss_type dapo --reward_funcs a b`` as a list."""
    argv = []
    for key, value in overrides.items():
        values = value if isinstance(value, list) else [value]
        argv += [f"--{key}", *(cli_text(v) for v in values)]
    return argv


def expand_grid(grid: dict[str, list]) -> list[Cell]:
    """Every combination of the grid's values, the first key varying slowest (the order a reader expects)."""
    keys = list(grid)
    return [Cell(dict(zip(keys, combo))) for combo in itertools.product(*(grid[k] for k in keys))]


def stage_fields(stage: str) -> set[str]:
    """Every field a stage's recipe may set: script arguments, trainer config and ``ModelConfig``."""
    from trl import ModelConfig

    import rl.configs

    classes = [getattr(rl.configs, name) for name in STAGES[stage]] + [ModelConfig]
    return {f.name for cls in classes for f in dataclasses.fields(cls)}


def _fail(path: Path, key: str, message: str):
    raise SweepError(f"{path}: {key}: {message}")


def _check_keys(path: Path, where: str, keys, allowed) -> None:
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        _fail(path, f"{where}{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(allowed))}")


def _check_fields(path: Path, where: str, mapping, stage: str, known: set[str]) -> None:
    if not isinstance(mapping, dict):
        _fail(path, where, f"must be a mapping of {stage} fields to values, got {type(mapping).__name__}")
    for key in mapping:
        if key in RESERVED:
            _fail(path, f"{where}.{key}", f"set by the runner per cell and seed; reserved: {', '.join(RESERVED)}")
        if key not in known:
            close = sorted(f for f in known if key in f or f in key)[:5]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            _fail(path, f"{where}.{key}", f"not a field of the {stage} stage's arguments{hint}; see "
                  f"`coderl {stage} --help`")  # fmt: skip


def _grid(path: Path, raw, stage: str, known: set[str]) -> dict[str, list]:
    if not raw:
        _fail(path, "grid", "empty: give at least one field with a list of values, e.g. `loss_type: [dapo, grpo]`")
    _check_fields(path, "grid", raw, stage, known)
    for key, values in raw.items():
        if not isinstance(values, list) or not values:
            example = f"[{cli_text(values)}]" if values not in (None, [], "") else "[dapo, grpo]"
            _fail(path, f"grid.{key}", f"must be a non-empty list of values, e.g. {example}; got {values!r}")
        if any(v is None for v in values):
            _fail(path, f"grid.{key}", "null values cannot be passed on the command line; drop them")
    return raw


def _int_list(values, low: int, high: float = float("inf")) -> bool:
    """A non-empty list of integers in [low, high] (YAML's true/false are not integers here)."""
    if not isinstance(values, list) or not values:
        return False
    return all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in values)


def _seeds(path: Path, raw) -> list[int]:
    seeds = [0] if raw is None else raw
    if not _int_list(seeds, 0):
        _fail(path, "seeds", f"must be a non-empty list of integers, e.g. [0, 1], got {raw!r}")
    if len(set(seeds)) != len(seeds):
        _fail(path, "seeds", f"repeats a seed: {seeds}")
    return seeds


def _eval(path: Path, raw) -> EvalSpec:
    if not isinstance(raw, dict) or "problems" not in raw:
        _fail(path, "eval", "required: a mapping with at least `problems: FILE.jsonl` (and n, ks, temperature, ...)")
    _check_keys(path, "eval.", raw, EVAL_KEYS)
    spec = EvalSpec(**raw)
    for key in ("n", "max_new_tokens", "batch_size") + (("limit",) if spec.limit is not None else ()):
        if not isinstance(getattr(spec, key), int) or getattr(spec, key) < 1:
            _fail(path, f"eval.{key}", f"must be an integer >= 1, got {getattr(spec, key)!r}")
    if not _int_list(spec.ks, 1, spec.n):
        _fail(path, "eval.ks", f"must be a non-empty list of integers between 1 and n ({spec.n}), got {spec.ks!r}")
    return spec


def _setup(path: Path, raw) -> list[SetupStep]:
    if not isinstance(raw, list):
        _fail(path, "setup", "must be a list of {creates: PATH, run: 'coderl command line'}")
    steps = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict) or set(step) != {"creates", "run"}:
            _fail(path, f"setup[{i}]", f"must have exactly the keys creates and run, got {step!r}")
        argv = shlex.split(step["run"]) if isinstance(step["run"], str) else [str(a) for a in step["run"]]
        steps.append(SetupStep(str(step["creates"]), argv[1:] if argv[:1] == ["coderl"] else argv))
    return steps


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raises ``SweepError`` naming the file and key of the first problem."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"{path}: no such sweep file")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SweepError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(raw, dict):
        raise SweepError(f"{path}: must be a YAML mapping with keys {', '.join(TOP_KEYS)}")
    _check_keys(path, "", raw, TOP_KEYS)
    stage = raw.get("stage", "grpo")
    if stage not in STAGES:
        _fail(path, "stage", f"unknown stage {stage!r}; allowed: {', '.join(STAGES)}")
    if not raw.get("base"):
        _fail(path, "base", f"required: the {stage} recipe every cell starts from, e.g. recipes/tiny-cpu/{stage}.yaml")
    base = Path(raw["base"])
    if not base.is_file():
        _fail(path, "base", f"recipe {base} not found (paths are relative to the working directory, {Path.cwd()})")
    known = stage_fields(stage)
    overrides = raw.get("overrides") or {}
    _check_fields(path, "overrides", overrides, stage, known)
    grid = _grid(path, raw.get("grid"), stage, known)
    both = sorted(set(overrides) & set(grid))
    if both:
        _fail(path, f"overrides.{both[0]}", "also in grid: set a field in one place only")
    return Sweep(path, stage, base, grid, _seeds(path, raw.get("seeds")), _eval(path, raw.get("eval")), overrides,
                 _setup(path, raw.get("setup") or []), raw.get("out"))  # fmt: skip


def check_cells(sweep: Sweep) -> None:
    """Parse every cell as its stage will, so a bad value (``loss_type: dapoo``, a group size that does not divide
    the batch) fails now, naming the cell, instead of after the cells before it have trained."""
    import contextlib
    import io

    import rl.configs
    from rl.stages import parse

    classes = [getattr(rl.configs, name) for name in STAGES[sweep.stage]]
    for cell in sweep.cells():
        argv = ["--config", str(sweep.base), *cli_args({**sweep.overrides, **cell.overrides}), "--output_dir", "-"]
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                parse(argv, *classes, f"coderl {sweep.stage}")
        except SystemExit:  # argparse: a bad choice or type; its message went to stderr
            message = stderr.getvalue().strip().splitlines()[-1:] or ["invalid arguments"]
            raise SweepError(f"{sweep.path}: cell {cell.name}: {message[0]}") from None
        except (ValueError, TypeError) as e:
            raise SweepError(f"{sweep.path}: cell {cell.name}: {e}") from None
