r"""Experiment specs: YAML files validated with pydantic, errors naming the key and its line.

An experiment names its prompt(s), its seeds, the settings every cell
shares, and a ``grid`` of settings to vary; the sweep runs one composition
per combination of grid values and seed (see :mod:`maestro_lab.sweep.cells`).
A ``rescore`` experiment re-scores the stored candidates of an earlier
sweep over a grid of scorers and weights instead (nothing is generated).

Example
-------
.. code-block:: yaml

    name: acceptance-vs-candidates
    prompt_file: prompts/house.txt     # or `prompt:` inline, or `prompts:` a list
    seeds: {start: 0, stop: 8}         # or a list: [1, 2, 3]
    scorer: default                    # or module:name, importable from this folder
    backend: embedded                  # plus `backend_options:` for remote backends
    grid:
      candidates: [1, 2, 4, 8]
      style: [house, lofi]
    output: sweeps.duckdb

>>> spec = parse_spec("name: demo\nprompt: 'MAESTRO PROMPT\nMode: compose'\nseeds: [1, 2]")
>>> spec.spec.name, spec.spec.seed_values()
('demo', (1, 2))
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    field_validator,
    model_validator,
)

from maestro_lab.sweep.errors import SpecError, SpecProblem

Slug = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
"""A name usable in ids and file names (letters, digits, ``.``, ``_``, ``-``)."""

_SCORER: Final = re.compile(r"^(default|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")


def _scorer_spec(value: str) -> str:
    if not _SCORER.match(value):
        raise ValueError(f"{value!r} is not 'default' or 'module:name'")
    return value


ScorerSpec = Annotated[str, AfterValidator(_scorer_spec)]
"""``default`` or ``module:name`` (a Scorer or a function of no arguments returning one)."""

Candidates = Annotated[int, Field(ge=1, le=256)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0, le=1000.0)]

MAX_CELLS: Final = 100_000
"""Most cells one experiment may expand to."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PromptEntry(_Model):
    """One named prompt of ``prompts:``: inline ``text`` or a ``file`` beside the spec."""

    name: Slug
    text: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PromptEntry:
        if (self.text is None) == (self.file is None):
            raise ValueError("give exactly one of 'text' and 'file'")
        return self


class SeedRange(_Model):
    """Seeds ``start, start + step, ... < stop`` (like Python's ``range``)."""

    start: int = 0
    stop: int
    step: Annotated[int, Field(ge=1)] = 1

    @model_validator(mode="after")
    def _not_empty(self) -> SeedRange:
        if self.stop <= self.start:
            raise ValueError(f"stop={self.stop} must be greater than start={self.start}")
        return self


def _unique(values: list[object] | None, what: str) -> None:
    if values is None:
        return
    if not values:
        raise ValueError(f"{what} is empty; give at least one value or leave it out")
    seen: list[object] = []
    for value in values:
        if value in seen:
            raise ValueError(f"{what} lists {value!r} twice")
        seen.append(value)


class Grid(_Model):
    """The settings to vary; every combination of the given axes is one cell (per seed)."""

    prompt: list[Slug] | None = None
    candidates: list[Candidates] | None = None
    style: list[str] | None = None
    roles: list[list[str]] | None = None
    scorer: list[ScorerSpec] | None = None
    weights: list[dict[str, Weight]] | None = None
    threshold: list[Unit] | None = None
    backend: list[Slug] | None = None

    @field_validator("*")
    @classmethod
    def _distinct(cls, value: list[object] | None) -> list[object] | None:
        _unique(value, "the axis")
        return value

    def axes(self) -> dict[str, list[JsonValue]]:
        """The given axes, in declaration order."""
        out: dict[str, list[JsonValue]] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value)
        return out


class RescoreSource(_Model):
    """Where a re-scoring experiment finds its candidates: an earlier sweep in the database."""

    sweep: str = Field(min_length=1)
    """A sweep id, or the name of an experiment (its newest sweep)."""


GENERATION_AXES: Final = frozenset(Grid.model_fields)
RESCORE_AXES: Final = frozenset({"scorer", "weights"})


class ExperimentSpec(_Model):
    """An experiment (see the module docstring for the file format)."""

    name: Slug
    description: str = ""
    prompt: str | None = None
    prompt_file: str | None = None
    prompts: list[PromptEntry] | None = None
    seeds: list[int] | SeedRange | None = None
    candidates: Candidates | None = None
    style: str | None = None
    roles: list[str] | None = None
    scorer: ScorerSpec = "default"
    weights: dict[str, Weight] = Field(default_factory=dict)
    threshold: Unit | None = None
    options: dict[str, JsonValue] = Field(default_factory=dict)
    backend: Slug = "embedded"
    backend_options: dict[str, JsonValue] = Field(default_factory=dict)
    grid: Grid = Field(default_factory=Grid)
    output: str = "sweeps.duckdb"
    rescore: RescoreSource | None = None

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: list[int] | SeedRange | None) -> list[int] | SeedRange | None:
        if isinstance(value, list):
            _unique(list(value), "seeds")
        return value

    @field_validator("prompts")
    @classmethod
    def _prompt_names(cls, value: list[PromptEntry] | None) -> list[PromptEntry] | None:
        if value is not None:
            _unique([p.name for p in value], "prompts (names)")
        return value

    @field_validator("options")
    @classmethod
    def _options(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        from maestro_lab.runtime.options import AgentOptions

        AgentOptions.from_dict(value)  # raises ValueError naming the option
        return value

    @property
    def kind(self) -> str:
        """``"rescore"`` for a re-scoring experiment, else ``"compose"``."""
        return "rescore" if self.rescore is not None else "compose"

    def seed_values(self) -> tuple[int, ...]:
        """The seeds, in order."""
        if self.seeds is None:
            return ()
        if isinstance(self.seeds, SeedRange):
            return tuple(range(self.seeds.start, self.seeds.stop, self.seeds.step))
        return tuple(self.seeds)


@dataclass(frozen=True)
class Experiment:
    """A validated spec with where it came from.

    Attributes
    ----------
    spec:
        The validated model.
    folder:
        The spec's folder: prompt files are read from it, and ``module:name``
        scorers are imported with it on ``sys.path``.
    source:
        The file (or ``"<string>"``), for messages.
    prompt_texts:
        Prompt name -> text (``"prompt"`` for a single ``prompt`` / ``prompt_file``).
    """

    spec: ExperimentSpec
    folder: Path
    source: str
    prompt_texts: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.name


# ---------------------------------------------------------------- loading
_TYPE_TAG = re.compile(r"^[a-z_][a-z0-9_]*$")
_BRANCH_MISMATCH: Final = frozenset({"list_type", "dict_type", "model_type", "int_type"})
_SCALAR_TAGS: Final = frozenset({"int", "str", "float", "bool", "none", "list", "dict"})


def _duplicate_keys(node: yaml.Node, path: str, out: list[SpecProblem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            where = f"{path}.{name}" if path else name
            if name in seen:
                out.append(SpecProblem(where, key.start_mark.line + 1, "key given twice"))
            seen.add(name)
            _duplicate_keys(value, where, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _duplicate_keys(item, f"{path}[{index}]", out)


def _locate(root: yaml.Node | None, loc: tuple[int | str, ...]) -> tuple[str, int | None]:
    """The dotted key path and the YAML line of a pydantic error location."""
    node = root
    line = None if root is None else root.start_mark.line + 1
    key = ""
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is not None:
                key = f"{key}.{part}" if key else part
                node, line = match[1], match[0].start_mark.line + 1
                continue
        if (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            key = f"{key}[{part}]"
            node = node.value[part]
            line = node.start_mark.line + 1
            continue
        if isinstance(part, str) and _TYPE_TAG.match(part) and part not in _SCALAR_TAGS:
            key = f"{key}.{part}" if key else part  # a missing field, named in the message
            node = None
        elif isinstance(part, int):
            key = f"{key}[{part}]"
    return key or "(spec)", line


def _problems(error: ValidationError, root: yaml.Node | None) -> list[SpecProblem]:
    out: list[SpecProblem] = []
    seen: set[tuple[str, str]] = set()
    items = error.errors(include_url=False)
    located = [(_locate(root, tuple(i["loc"])), i) for i in items]
    keys = [k for (k, _), _ in located]
    for (key, line), item in located:
        if item["type"] in _BRANCH_MISMATCH and keys.count(key) > 1:
            continue  # the other branch of a union (list or range) explains it better
        message = str(item["msg"]).removeprefix("Value error, ")
        if (key, message) in seen:
            continue
        seen.add((key, message))
        out.append(SpecProblem(key, line, message))
    return out


def _read_prompts(
    spec: ExperimentSpec, folder: Path, root: yaml.Node | None, source: str
) -> tuple[tuple[str, str], ...]:
    problems: list[SpecProblem] = []
    texts: list[tuple[str, str]] = []

    def read(name: str, relative: str, loc: tuple[int | str, ...]) -> None:
        path = folder / relative
        try:
            texts.append((name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            key, line = _locate(root, loc)
            problems.append(SpecProblem(key, line, f"cannot read {path}: {exc}"))

    if spec.prompt is not None:
        texts.append(("prompt", spec.prompt))
    elif spec.prompt_file is not None:
        read("prompt", spec.prompt_file, ("prompt_file",))
    elif spec.prompts is not None:
        for index, entry in enumerate(spec.prompts):
            if entry.text is not None:
                texts.append((entry.name, entry.text))
            elif entry.file is not None:
                read(entry.name, entry.file, ("prompts", index, "file"))
    for name, text in texts:
        if not text.strip():
            problems.append(SpecProblem(_prompt_key(spec, name), None, "the prompt is empty"))
    if problems:
        raise SpecError(source, problems)
    return tuple(texts)


def _prompt_key(spec: ExperimentSpec, name: str) -> str:
    if spec.prompts is not None:
        index = [p.name for p in spec.prompts].index(name)
        return f"prompts[{index}]"
    return "prompt" if spec.prompt is not None else "prompt_file"


def _consistency(spec: ExperimentSpec) -> list[tuple[tuple[int | str, ...], str]]:
    """Problems across keys, each with the location of the key to blame."""
    out: list[tuple[tuple[int | str, ...], str]] = []
    axes = spec.grid.axes()
    for name in axes:
        if (
            name in {"candidates", "style", "roles", "threshold"}
            and getattr(spec, name) is not None
        ):
            out.append((("grid", name), f"'{name}' is also given as a setting; keep one"))
    if spec.rescore is not None:
        for name in sorted(set(axes) - RESCORE_AXES):
            out.append((("grid", name), "a rescore experiment varies only scorer and weights"))
        for name in ("prompt", "prompt_file", "prompts", "seeds"):
            if getattr(spec, name) is not None:
                out.append(((name,), "a rescore experiment takes prompts and seeds from its sweep"))
        return out
    given = [n for n in ("prompt", "prompt_file", "prompts") if getattr(spec, n) is not None]
    if len(given) != 1:
        where: tuple[int | str, ...] = (given[1],) if len(given) > 1 else ()
        out.append((where, "give exactly one of 'prompt', 'prompt_file' and 'prompts'"))
    if "prompt" in axes:
        if spec.prompts is None:
            out.append((("grid", "prompt"), "selects among 'prompts'; list them there"))
        else:
            known = {p.name for p in spec.prompts}
            for index, chosen in enumerate(axes["prompt"]):
                if chosen not in known:
                    out.append(
                        (("grid", "prompt", index), f"no prompt {chosen!r}; known: {sorted(known)}")
                    )
    if spec.seeds is None:
        out.append((("seeds",), "required: a list, or {start, stop, step}"))
    return out


def parse_spec(text: str, *, folder: str | Path = ".", source: str = "<string>") -> Experiment:
    """Validate the YAML ``text`` of an experiment spec.

    Raises
    ------
    SpecError
        The YAML is malformed, or a key is unknown, missing or invalid; every
        problem names the key and its line.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise SpecError(source, [SpecProblem("(yaml)", line, str(exc.problem))]) from None
    except yaml.YAMLError as exc:
        raise SpecError(source, [SpecProblem("(yaml)", None, str(exc))]) from None
    duplicates: list[SpecProblem] = []
    if root is not None:
        _duplicate_keys(root, "", duplicates)
    if duplicates:
        raise SpecError(source, duplicates)
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise SpecError(
            source, [SpecProblem("(spec)", 1, f"must be a mapping of keys, got {kind}")]
        )
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(source, _problems(exc, root)) from None
    crossed = [SpecProblem(*_locate(root, loc), message) for loc, message in _consistency(spec)]
    if crossed:
        raise SpecError(source, crossed)
    base = Path(folder)
    prompts = _read_prompts(spec, base, root, source) if spec.rescore is None else ()
    return Experiment(spec=spec, folder=base.resolve(), source=source, prompt_texts=prompts)


def load_spec(path: str | os.PathLike[str]) -> Experiment:
    """Read and validate the experiment spec file ``path``.

    Raises
    ------
    SpecError
        The file cannot be read, or its spec is invalid (see :func:`parse_spec`).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(str(file), [SpecProblem("(file)", None, f"cannot read: {exc}")]) from None
    return parse_spec(text, folder=file.parent, source=str(file))


__all__ = [
    "MAX_CELLS",
    "Experiment",
    "ExperimentSpec",
    "Grid",
    "PromptEntry",
    "RescoreSource",
    "SeedRange",
    "load_spec",
    "parse_spec",
]
