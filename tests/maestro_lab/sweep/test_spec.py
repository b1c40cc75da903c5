"""Experiment specs: validation errors name the key and its line; cells and their keys."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestro_lab.prompts import parse_prompt
from maestro_lab.sweep import SpecError, expand, load_spec, parse_spec
from maestro_lab.sweep.cells import cell_key, run_id_for, with_overrides
from tests.maestro_lab.sweep.conftest import TINY_PROMPT

EXPERIMENTS = Path(__file__).resolve().parents[3] / "experiments"


def _problems(text: str) -> list[tuple[str, int | None]]:
    with pytest.raises(SpecError) as info:
        parse_spec(textwrap.dedent(text), source="spec.yaml")
    assert str(info.value).startswith("spec.yaml: invalid experiment spec")
    return [(p.key, p.line) for p in info.value.problems]


def test_an_invalid_value_is_named_by_its_key_path_and_line() -> None:
    problems = _problems(
        """\
        name: demo
        prompt: x
        seeds: [1, 2]
        grid:
          candidates: [2, 0]
          style: [house]
        """
    )
    assert problems == [("grid.candidates[1]", 5)]


def test_unknown_and_missing_keys_are_named() -> None:
    assert _problems("name: demo\nprompt: x\nseeds: [1]\ncandidate: 4\n") == [("candidate", 4)]
    assert _problems("prompt: x\nseeds: [1]\n") == [("name", 1)]


def test_a_seed_range_is_checked_as_a_range() -> None:
    with pytest.raises(SpecError, match=r"line 3: seeds: stop=2 must be greater than start=4"):
        parse_spec("name: demo\nprompt: x\nseeds: {start: 4, stop: 2}\n")


def test_keys_given_twice_and_yaml_syntax_errors_name_their_line() -> None:
    assert _problems("name: demo\nprompt: x\nname: again\n") == [("name", 3)]
    assert _problems("name: demo\nprompt: [x\nseeds: [1]\n") == [("(yaml)", 3)]


def test_cross_key_problems_blame_the_key_that_conflicts() -> None:
    assert _problems(
        "name: demo\nprompt: x\nseeds: [1]\ncandidates: 2\ngrid: {candidates: [4]}\n"
    ) == [("grid.candidates", 5)]
    assert _problems("name: demo\nseeds: [1]\n") == [("(spec)", 1)]
    assert _problems("name: demo\nprompt: x\n") == [("seeds", 1)]


def test_scorers_must_be_module_colon_name_and_options_are_agent_options() -> None:
    problems = _problems(
        "name: demo\nprompt: x\nseeds: [1]\nscorer: nope\noptions: {threshold: 3}\n"
    )
    assert problems == [("scorer", 4), ("options", 5)]


def test_a_missing_prompt_file_is_named_with_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "x.yaml"
    spec.write_text("name: demo\nprompts:\n  - {name: a, file: a.txt}\nseeds: [1]\n")
    with pytest.raises(SpecError, match=r"line 3: prompts\[0\]\.file: cannot read"):
        load_spec(spec)


def test_cells_are_the_grid_product_in_axis_order_then_seeds() -> None:
    exp = parse_spec(
        "name: demo\nprompt: |\n  "
        + TINY_PROMPT.replace("\n", "\n  ")
        + "\nseeds: [5, 6]\ngrid:\n  style: [house, jazz]\n  candidates: [1, 3]\n"
    )
    cells = expand(exp)
    assert [(c.candidates, c.style, c.seed) for c in cells] == [
        (n, style, seed) for n in (1, 3) for style in ("house", "jazz") for seed in (5, 6)
    ]
    assert [c.index for c in cells] == list(range(8))
    assert len({c.key for c in cells}) == 8
    parsed = parse_prompt(cells[-1].prompt)
    assert parsed is not None
    assert parsed.style == "jazz"


@given(
    style=st.sampled_from(["house", "lofi", "jazz", "techno"]),
    roles=st.lists(st.sampled_from(["drums", "bass", "chords", "melody"]), min_size=1, unique=True),
)
def test_overrides_replace_style_and_roles_and_keep_every_other_field(
    style: str, roles: list[str]
) -> None:
    original = parse_prompt(TINY_PROMPT)
    changed = parse_prompt(with_overrides(TINY_PROMPT, style=style, roles=tuple(roles)))
    assert original is not None
    assert changed is not None
    assert changed.style == style
    assert list(changed.roles) == roles
    assert (changed.key, changed.mode, changed.constraints) == (
        original.key,
        original.mode,
        original.constraints,
    )


def test_overrides_need_a_structured_prompt() -> None:
    with pytest.raises(ValueError, match="MAESTRO PROMPT"):
        with_overrides("make me a beat", style="house", roles=None)


@given(
    params=st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.integers(), st.text(max_size=8), st.none(), st.booleans()),
        max_size=6,
    )
)
def test_a_cell_key_depends_on_the_parameters_not_their_order(params: dict[str, object]) -> None:
    reordered = dict(reversed(list(params.items())))
    assert cell_key(params) == cell_key(reordered)  # type: ignore[arg-type]
    assert len(cell_key(params)) == 16  # type: ignore[arg-type]
    changed = {**params, "\x00seed": 1}
    assert cell_key(changed) != cell_key(params)  # type: ignore[arg-type]


def test_run_ids_are_per_sweep_and_per_cell() -> None:
    assert run_id_for("sweep-a", "k1") == run_id_for("sweep-a", "k1")
    assert len({run_id_for(s, k) for s in ("sweep-a", "sweep-b") for k in ("k1", "k2")}) == 4


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_shipped_experiments_are_valid(path: Path) -> None:
    experiment = load_spec(path)
    if experiment.spec.rescore is None:
        assert len(expand(experiment)) >= 8


@given(
    seeds=st.lists(st.integers(0, 2**31), min_size=1, max_size=4, unique=True),
    candidates=st.lists(st.integers(1, 16), min_size=1, max_size=3, unique=True),
    styles=st.lists(st.sampled_from(["house", "lofi", "jazz"]), min_size=1, unique=True),
)
def test_a_grid_expands_to_the_product_of_its_axes_with_distinct_keys(
    seeds: list[int], candidates: list[int], styles: list[str]
) -> None:
    text = (
        "name: prop\nprompt: |\n  "
        + TINY_PROMPT.replace("\n", "\n  ")
        + f"\nseeds: {seeds}\ngrid:\n  candidates: {candidates}\n  style: {styles}\n"
    )
    cells = expand(parse_spec(text))
    assert len(cells) == len(seeds) * len(candidates) * len(styles)
    assert len({c.key for c in cells}) == len(cells)
    assert {(c.seed, c.candidates, c.style) for c in cells} == {
        (s, n, y) for s in seeds for n in candidates for y in styles
    }
    again = expand(parse_spec(text.replace("name: prop", "name: prop-again")))
    # the key hashes the parameters and the seed, not the experiment's name
    assert [c.key for c in again] == [c.key for c in cells]
