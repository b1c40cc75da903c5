"""The repository stands alone: no pointer at documents a user of it does not have.

The README, ``docs/``, the notebooks and the source of the three packages
describe behaviour in their own words. They must not send the reader to
files outside the repository (``../shared/...``, a ``DESIGN.md`` or
``STYLE.md`` that is not here) or to numbered diagrams and a "reference"
that no file in the repository contains.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("README.md", "docs", "notebooks", "storpheus", "muse_duckdb", "maestro_lab")
SUFFIXES = frozenset({".py", ".md", ".ipynb", ".txt", ".yaml", ".yml", ".toml"})
POINTERS = re.compile(
    r"\.\./shared|Diagram \d|\bDESIGN\.md|\bSTYLE\.md|type[- ]contracts|the reference's",
    re.IGNORECASE,
)


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            found.append(path)
        else:
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in SUFFIXES and "notebook-output" not in p.parts
            )
    return found


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("see ../shared/DESIGN.md", True),
        ("(``RejectionSamplingResult`` of Diagram 8)", True),
        ("Frozen dataclasses following the type-contracts reference", True),
        ("The reference's Gradio fields", True),
        ("House style: STYLE.md", True),
        ("a reference corpus of Bach chorales", False),
        ("the loop-and-scipy reference implementation", False),
        ("Muse refs and the parameter holding the reference (trackId)", False),
    ],
)
def test_pointer_pattern(text: str, flagged: bool) -> None:
    """The pattern finds outside pointers and leaves ordinary uses of "reference" alone."""
    assert bool(POINTERS.search(text)) is flagged


def test_no_pointer_outside_the_repository() -> None:
    """No scanned file points at ``../shared``, Diagram N, DESIGN/STYLE.md or "the reference"."""
    files = _files()
    assert len(files) > 100
    hits = [
        f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()[:120]}"
        for path in files
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if POINTERS.search(line)
    ]
    assert not hits, "describe it in the project's own words instead:\n" + "\n".join(hits)
