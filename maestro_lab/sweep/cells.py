r"""The cells of an experiment: every combination of grid values and seed, each with a key.

A cell holds everything that determines its composition: the prompt text
(with the grid's style and roles written into it), the seed, the candidate
count, the scorer and its weights, the acceptance threshold and the backend.
Its key is 16 hex digits of SHA-256 over the canonical JSON of those
parameters, so the same cell has the same key in any order, on any machine,
in any sweep; a resumed sweep recognises its finished cells by key.

Example
-------
>>> from maestro_lab.sweep.spec import parse_spec
>>> exp = parse_spec(
...     "name: demo\nprompt: 'MAESTRO PROMPT\nMode: compose\nStyle: house'\n"
...     "seeds: [1, 2]\ngrid: {candidates: [2, 4]}"
... )
>>> [(c.candidates, c.seed) for c in expand(exp)]
[(2, 1), (2, 2), (4, 1), (4, 2)]
>>> len({c.key for c in expand(exp)})
4
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Final

import yaml
from pydantic import JsonValue

from maestro_lab.sweep.errors import SpecError, SpecProblem
from maestro_lab.sweep.spec import MAX_CELLS, Experiment

PROMPT_HEADER: Final = "MAESTRO PROMPT"
_OVERRIDDEN: Final = {"style": ("style", "genre"), "roles": ("role", "roles", "instruments")}
_FIELD_NAMES: Final = {"style": "Style", "roles": "Role"}


@dataclass(frozen=True)
class Cell:
    """One composition of a sweep (picklable; shipped to workers as it is).

    ``key`` hashes :meth:`parameters`; ``index`` is the cell's place in the
    grid; ``search_path`` is the spec's folder (``module:name`` scorers are
    imported from it) and not part of the key.
    """

    index: int
    key: str
    experiment: str
    prompt_name: str
    prompt: str
    seed: int
    candidates: int | None
    style: str | None
    roles: tuple[str, ...] | None
    scorer: str
    weights: tuple[tuple[str, float], ...]
    threshold: float | None
    options: str
    backend: str
    backend_options: str
    search_path: str

    def parameters(self) -> dict[str, JsonValue]:
        """What determines the cell's output (JSON-ready; the key hashes it)."""
        return {
            "prompt_name": self.prompt_name,
            "prompt": self.prompt,
            "seed": self.seed,
            "candidates": self.candidates,
            "style": self.style,
            "roles": None if self.roles is None else list(self.roles),
            "scorer": self.scorer,
            "weights": dict(self.weights),
            "threshold": self.threshold,
            "options": json.loads(self.options),
            "backend": self.backend,
            "backend_options": json.loads(self.backend_options),
        }

    def summary(self) -> dict[str, JsonValue]:
        """:meth:`parameters` without the prompt text (for tables and notebooks)."""
        out = self.parameters()
        del out["prompt"]
        return out


def canonical(value: JsonValue) -> str:
    """Canonical JSON text: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cell_key(parameters: dict[str, JsonValue]) -> str:
    """16 hex digits of SHA-256 over the canonical JSON of ``parameters``."""
    return hashlib.sha256(canonical(parameters).encode()).hexdigest()[:16]


def run_id_for(sweep_id: str, key: str) -> str:
    """The telemetry run id of cell ``key`` in ``sweep_id`` (the same on every attempt)."""
    digest = hashlib.sha256(f"{sweep_id}/{key}".encode()).hexdigest()[:16]
    return f"run-{digest}"


def with_overrides(prompt: str, *, style: str | None, roles: tuple[str, ...] | None) -> str:
    """``prompt`` with its Style and Role fields replaced (a MAESTRO PROMPT is required).

    The prompt's body is YAML; the overridden keys (any spelling the prompt
    parser accepts) are removed and written again, the other keys keep their
    order and values.

    Raises
    ------
    ValueError
        The prompt is natural language or its body is not a YAML mapping.
    """
    if style is None and roles is None:
        return prompt
    lines = prompt.lstrip("\ufeff").splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or " ".join(lines[first].split()).upper().rstrip(":") != PROMPT_HEADER:
        raise ValueError("style and roles can only be set on a MAESTRO PROMPT")
    body = yaml.safe_load("\n".join(lines[first + 1 :]))
    if not isinstance(body, dict):
        raise ValueError("the MAESTRO PROMPT body is not a mapping of fields")
    values: dict[str, object] = {"style": style, "roles": None if roles is None else list(roles)}
    for axis, spellings in _OVERRIDDEN.items():
        if values[axis] is None:
            continue
        body = {k: v for k, v in body.items() if " ".join(str(k).split()).lower() not in spellings}
        body[_FIELD_NAMES[axis]] = values[axis]
    dumped = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return f"{PROMPT_HEADER}\n{dumped}"


def expand(experiment: Experiment) -> tuple[Cell, ...]:
    """Every cell of ``experiment``: the product of its grid axes, then seeds.

    Axes nest in a fixed order (prompt, candidates, style, roles, scorer,
    weights, threshold, backend; the last varies fastest), seeds innermost;
    ``Cell.index`` numbers the cells in that order.

    Raises
    ------
    SpecError
        The grid has more than :data:`MAX_CELLS` cells, or a style / roles
        override meets a natural-language prompt.
    """
    spec = experiment.spec
    axes = spec.grid.axes()
    prompts = dict(experiment.prompt_texts)
    axes.setdefault("prompt", list(prompts))
    seeds = spec.seed_values()
    total = len(seeds)
    for values in axes.values():
        total *= len(values)
    if total > MAX_CELLS:
        raise SpecError(
            experiment.source,
            [SpecProblem("grid", None, f"expands to {total} cells (at most {MAX_CELLS})")],
        )
    names = list(axes)
    cells: list[Cell] = []
    rendered: dict[tuple[str, str | None, tuple[str, ...] | None], str] = {}
    for combo in itertools.product(*(axes[n] for n in names)):
        chosen = dict(zip(names, combo, strict=True))
        prompt_name = str(chosen["prompt"])
        style = _text(chosen.get("style", spec.style))
        roles_value = chosen.get("roles", spec.roles)
        roles = None if roles_value is None else tuple(str(r) for r in _list(roles_value))
        weights_value = chosen.get("weights", spec.weights)
        weights = tuple(sorted((str(k), float(v)) for k, v in _dict(weights_value).items()))
        threshold = chosen.get("threshold", spec.threshold)
        candidates = chosen.get("candidates", spec.candidates)
        cache_key = (prompt_name, style, roles)
        if cache_key not in rendered:
            try:
                rendered[cache_key] = with_overrides(prompts[prompt_name], style=style, roles=roles)
            except ValueError as exc:
                key = "grid.style" if "style" in axes else "style"
                raise SpecError(experiment.source, [SpecProblem(key, None, str(exc))]) from None
        for seed in seeds:
            cell = Cell(
                index=len(cells),
                key="",
                experiment=spec.name,
                prompt_name=prompt_name,
                prompt=rendered[cache_key],
                seed=seed,
                candidates=None if candidates is None else int(str(candidates)),
                style=style,
                roles=roles,
                scorer=str(chosen.get("scorer", spec.scorer)),
                weights=weights,
                threshold=None if threshold is None else float(str(threshold)),
                options=canonical(dict(spec.options)),
                backend=str(chosen.get("backend", spec.backend)),
                backend_options=canonical(dict(spec.backend_options)),
                search_path=str(experiment.folder),
            )
            cells.append(_keyed(cell))
    return tuple(cells)


def _keyed(cell: Cell) -> Cell:
    from dataclasses import replace

    return replace(cell, key=cell_key(cell.parameters()))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _dict(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}


__all__ = ["Cell", "canonical", "cell_key", "expand", "run_id_for", "with_overrides"]
