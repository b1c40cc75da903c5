"""The distribution is declared once and mirrored for conda users."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+(?:\[[^\]]+\])?)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    match = _REQ.match(requirement)
    assert match, requirement
    name, spec = match.groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    declared = {_normalise(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_normalise(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert len(pip_lists) == 1
    mirrored = {_normalise(r) for r in pip_lists[0] if not r.startswith("-e")}
    assert mirrored == declared, (
        f"only in pyproject: {sorted(declared - mirrored)}; "
        f"only in environment.yml: {sorted(mirrored - declared)}"
    )


def test_python_lower_bound_agrees() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert project["requires-python"] == ">=3.11"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python>=3.11" in env["dependencies"]


def test_extras_named_by_the_design_exist() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    extras = project["optional-dependencies"]
    assert {"dev", "orpheus", "dask", "audio", "bench"} <= set(extras)
    dev = {_normalise(r)[0] for r in extras["dev"]}
    assert {"pytest", "hypothesis", "ruff", "mypy", "nbval", "papermill", "pytest-xdist"} <= dev
    assert {_normalise(r)[0] for r in extras["orpheus"]} == {"gradio-client"}
    assert {_normalise(r)[0] for r in extras["dask"]} == {"dask[distributed]"}


def test_console_scripts_are_declared_and_answer_help() -> None:
    scripts = _pyproject()["project"]["scripts"]  # type: ignore[index]
    assert scripts == {"maestro-lab": "maestro_lab.cli:main", "muse": "muse_duckdb.cli:main"}
    for module in ("maestro_lab.cli", "muse_duckdb.cli"):
        out = subprocess.run(
            [sys.executable, "-c", f"import {module} as m; raise SystemExit(m.main(['--help']))"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        assert "usage:" in out.stdout


def test_importing_the_packages_does_not_load_heavy_optional_libraries() -> None:
    code = (
        "import sys, storpheus, muse_duckdb, maestro_lab, maestro_lab.cli;"
        "heavy = [m for m in ('matplotlib', 'music21', 'muspy', 'gradio_client', 'dask')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert "make demo" in readme
