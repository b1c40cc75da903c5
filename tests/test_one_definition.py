"""One JSON type alias in storpheus, muse_duckdb and maestro_lab.

``storpheus/jsontypes.py`` defines :data:`~storpheus.jsontypes.JSONValue` and
:data:`~storpheus.jsontypes.JSONObject`; every other module imports them. The
source of the three packages is read with :mod:`ast` (nothing is imported) and
every type alias is checked: a plain ``X = <type>``, ``X: TypeAlias = <type>``
or (Python 3.12+) ``type X = <type>``, at any depth.

An alias is a second JSON alias when

- its name says JSON (``JSONObject``, ``JsonDict``, ``JSONSchema``, ``JSON``...),
  whatever it aliases; or
- it spells a JSON shape out: a string-keyed mapping of ``object`` / ``Any`` /
  ``JsonValue`` (``dict[str, object]``, ``Mapping[str, Any]``...), pydantic's
  ``JsonValue`` itself, or a union of the JSON scalars
  (``str | int | float | bool | None``).

A domain alias of the one definition (``PromptConstraints: TypeAlias =
JSONObject``) is fine; so are re-exports (``from storpheus.jsontypes import
JSONValue as JSONValue``), which are imports, not definitions.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("storpheus", "muse_duckdb", "maestro_lab")
HOME = "storpheus/jsontypes.py"
"""The one module allowed to define the JSON alias."""

_JSON_NAME = re.compile(r"json", re.IGNORECASE)
_MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
_LOOSE_VALUES = frozenset({"object", "Any", "JsonValue", "JSONValue"})
_SCALARS = frozenset({"str", "int", "float", "bool", "None"})
_TYPE_STATEMENT = getattr(ast, "TypeAlias", None)
"""``type X = ...`` (Python 3.12+; the project supports 3.11, which cannot parse it)."""


@dataclass(frozen=True)
class Alias:
    """One type alias found in the source."""

    name: str
    value: ast.expr
    line: int
    explicit: bool
    """Declared as an alias (``TypeAlias`` annotation or ``type`` statement)."""


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _name(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return None
    return None


def _is_type_expression(node: ast.expr) -> bool:
    """Whether the right-hand side of a plain assignment reads as a type."""
    if isinstance(node, ast.Subscript):
        return _name(node.value) is not None
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.BitOr) and all(
            _is_type_expression(side) or _name(side) is not None for side in (node.left, node.right)
        )
    return isinstance(node, ast.Name | ast.Attribute) and _name(node) is not None


def _union_members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    if isinstance(node, ast.Subscript) and _name(node.value) == "Union":
        inner = node.slice
        return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    return [node]


def _spells_json(node: ast.expr) -> bool:
    """Whether ``node`` writes a JSON shape out instead of naming the one alias."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _spells_json(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return False
    if _name(node) == "JsonValue" and not isinstance(node, ast.Subscript):
        return True
    if isinstance(node, ast.Subscript) and _name(node.value) in _MAPPINGS:
        args = node.slice
        if isinstance(args, ast.Tuple) and len(args.elts) == 2:
            key, value = args.elts
            return _name(key) == "str" and _name(value) in _LOOSE_VALUES
    members = {_name(m) for m in _union_members(node)}
    return members >= _SCALARS


def aliases(tree: ast.AST) -> list[Alias]:
    """Every type alias defined in ``tree``, at any depth."""
    found: list[Alias] = []
    for node in ast.walk(tree):
        if (
            _TYPE_STATEMENT is not None
            and isinstance(node, _TYPE_STATEMENT)
            and isinstance(node.name, ast.Name)
        ):
            found.append(Alias(node.name.id, node.value, node.lineno, explicit=True))
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
            and _name(node.annotation) == "TypeAlias"
        ):
            found.append(Alias(node.target.id, node.value, node.lineno, explicit=True))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _is_type_expression(node.value):
                found.append(Alias(target.id, node.value, node.lineno, explicit=False))
    return found


def json_aliases(source: str) -> list[str]:
    """``name (line N): why`` for every JSON alias ``source`` defines."""
    problems = []
    for alias in aliases(ast.parse(source)):
        if _JSON_NAME.search(alias.name) and (alias.explicit or alias.name[0].isupper()):
            problems.append(f"{alias.name} (line {alias.line}): a JSON-named alias")
        elif _spells_json(alias.value):
            problems.append(
                f"{alias.name} (line {alias.line}): spells out a JSON type "
                f"({ast.unparse(alias.value)})"
            )
    return problems


def _sources() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("JSONObject = dict[str, object]\n", 1),
        ("JsonDict: TypeAlias = dict[str, Any]\n", 1),
        ("JSONSchema = JSONObject\n", 1),
        ('JSONValue = JSONScalar | list["JSONValue"] | dict[str, "JSONValue"]\n', 1),
        ("Scalar = str | int | float | bool | None\n", 1),
        ("Meta = Mapping[str, JsonValue]\n", 1),
        ("Payload: TypeAlias = 'dict[str, object]'\n", 1),
        ("Anything = JsonValue\n", 1),
        ("def f():\n    Local = Dict[str, Any]\n", 1),
        ("PromptConstraints: TypeAlias = JSONObject\n", 0),
        ("Axes = dict[str, float]\n", 0),
        ("Cell = str | int | None\n", 0),
        ("JSON_SUFFIX = '.json'\n", 0),
        ("json_text = dumps(payload)\n", 0),
        ("from storpheus.jsontypes import JSONValue as JSONValue\n", 0),
        ("class PlanJsonDict(TypedDict):\n    bars: int\n", 0),
    ],
)
def test_detector(source: str, expected: int) -> None:
    """The checker flags each way of writing a second JSON alias and nothing else."""
    assert len(json_aliases(source)) == expected, json_aliases(source)


def test_home_defines_the_alias() -> None:
    """``storpheus/jsontypes.py`` is where the aliases live (and the checker sees them)."""
    names = {a.name for a in aliases(ast.parse((ROOT / HOME).read_text("utf-8")))}
    assert {"JSONValue", "JSONObject"} <= names
    assert json_aliases((ROOT / HOME).read_text("utf-8"))


def test_no_second_json_alias() -> None:
    """No module of the three packages but ``storpheus/jsontypes.py`` defines a JSON alias."""
    sources = _sources()
    assert len(sources) > 100
    problems = [
        f"{path.relative_to(ROOT).as_posix()}: {problem}"
        for path in sources
        if path.relative_to(ROOT).as_posix() != HOME
        for problem in json_aliases(path.read_text("utf-8"))
    ]
    assert not problems, "import JSONValue / JSONObject from storpheus.jsontypes instead:\n" + (
        "\n".join(problems)
    )
