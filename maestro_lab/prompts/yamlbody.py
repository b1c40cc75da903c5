"""Load a prompt body as YAML into plain JSON values, or say exactly why not.

The loader is PyYAML's safe loader with four changes that keep prompts
faithful and JSON-compatible:

- mapping keys are kept as written (``yes:`` stays ``"yes"``, ``1:`` stays
  ``"1"``), and complex keys (lists, maps) are refused;
- a key given twice in one mapping is an error (PyYAML keeps the last);
- dates and times stay text (no implicit timestamp resolution);
- values are converted to JSON (``str``, ``int``, finite ``float``, ``bool``,
  ``None``, lists, string-keyed dicts): sets, binary, ``nan``/``inf``,
  recursive aliases, nesting deeper than :data:`MAX_DEPTH` and documents
  larger than :data:`MAX_NODES` values are refused.
"""

from __future__ import annotations

import math
from typing import Final

import yaml
from pydantic import JsonValue

MAX_DEPTH: Final = 64
"""Deepest nesting of lists/maps accepted in a prompt body."""

MAX_NODES: Final = 50_000
"""Most values accepted in a prompt body (guards against alias bombs)."""

_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"


class BodyError(Exception):
    """Why a body is not acceptable YAML (message names the line when known)."""


class _PromptLoader(yaml.SafeLoader):
    """Safe loader: verbatim string keys, duplicate-key errors, no timestamps."""

    def construct_mapping(  # type: ignore[override]
        self, node: yaml.MappingNode, deep: bool = False
    ) -> dict[str, object]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        seen: dict[str, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "keys must be plain names, not lists or mappings",
                    key_node.start_mark,
                )
            key = str(key_node.value)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {key!r} is given twice",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        self.flatten_mapping(node)
        mapping: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "keys must be plain names, not lists or mappings",
                    key_node.start_mark,
                )
            mapping[str(key_node.value)] = self.construct_object(value_node, deep=deep)
        return mapping


_PromptLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PromptLoader.add_constructor(
    "tag:yaml.org,2002:map",
    _PromptLoader.construct_mapping,
)


def load_body(body: str, first_line: int = 1) -> JsonValue:
    """Parse ``body`` as one YAML document and return it as JSON values.

    ``first_line`` is the line number of the body's first line in the whole
    prompt, so error messages point at the line the user sees.

    Raises
    ------
    BodyError
        With a message such as ``"YAML syntax error at line 4, column 7:
        mapping values are not allowed here"``.
    """
    try:
        loaded = yaml.load(body, Loader=_PromptLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise BodyError(_describe(exc, first_line)) from None
    except yaml.YAMLError as exc:
        raise BodyError(f"YAML error: {exc}") from None
    except RecursionError:
        raise BodyError(f"YAML is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except (ValueError, TypeError, AttributeError, OverflowError, IndexError) as exc:
        # PyYAML's safe constructors raise built-in errors on malformed explicit
        # tags (``!!int abc``, ``!!timestamp nope``); report them as YAML errors.
        raise BodyError(f"YAML value error: {exc}") from None
    budget = [MAX_NODES]
    return _to_json(loaded, "", 0, budget)


def _describe(exc: yaml.MarkedYAMLError, first_line: int) -> str:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.context and exc.problem and exc.context.startswith("expected"):
        problem = f"{exc.context}, {exc.problem}"
    if mark is None:
        return f"YAML syntax error: {problem}"
    line = mark.line + first_line
    return f"YAML syntax error at line {line}, column {mark.column + 1}: {problem}"


def _to_json(value: object, path: str, depth: int, budget: list[int]) -> JsonValue:
    budget[0] -= 1
    if budget[0] < 0:
        raise BodyError(f"the prompt body is too large (more than {MAX_NODES} values)")
    if depth > MAX_DEPTH:
        top = path.split("[")[0].split(".")[0] or "the body"
        raise BodyError(
            f"{top} is nested more than {MAX_DEPTH} levels deep "
            "(or refers to itself through an alias)"
        )
    if value is None or isinstance(value, str | bool | int):
        return value
    where = path or "the body"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BodyError(f"{where}: {value!r} is not a finite number")
        return value
    if isinstance(value, list):
        return [_to_json(v, f"{path}[{i}]", depth + 1, budget) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {
            str(k): _to_json(v, f"{path}.{k}" if path else str(k), depth + 1, budget)
            for k, v in value.items()
        }
    raise BodyError(f"{where}: a {type(value).__name__} value is not supported in a prompt")
