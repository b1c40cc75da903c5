"""The MAESTRO PROMPT structured prompt DSL: types, parser, keys and JSON Schemas.

Example
-------
>>> from maestro_lab.prompts import parse_prompt
>>> prompt = parse_prompt('''MAESTRO PROMPT
... Mode: compose
... Style: lofi hip hop
... Key: Cm
... Vibe: [dusty x3, warm]''')
>>> prompt.key, [str(v) for v in prompt.vibes]
('C minor', ['dusty x3', 'warm'])
"""

from maestro_lab.errors import (
    InvalidKeyError,
    InvalidMaestroPrompt,
    PromptParseError,
    UnsupportedPromptHeader,
)
from maestro_lab.prompts.base import (
    AfterSpec,
    MaestroDimensions,
    MaestroPrompt,
    PositionSpec,
    PromptConstraints,
    StructuredPrompt,
    TargetSpec,
    VibeWeight,
)
from maestro_lab.prompts.keys import Key, normalise_key, parse_key
from maestro_lab.prompts.parser import is_structured, parse_prompt
from maestro_lab.prompts.position import parse_position
from maestro_lab.prompts.schema import (
    parsed_prompt_schema,
    prompt_body_schema,
    prompt_from_json,
)

__all__ = [
    "AfterSpec",
    "InvalidKeyError",
    "InvalidMaestroPrompt",
    "Key",
    "MaestroDimensions",
    "MaestroPrompt",
    "PositionSpec",
    "PromptConstraints",
    "PromptParseError",
    "StructuredPrompt",
    "TargetSpec",
    "UnsupportedPromptHeader",
    "VibeWeight",
    "is_structured",
    "normalise_key",
    "parse_key",
    "parse_position",
    "parse_prompt",
    "parsed_prompt_schema",
    "prompt_body_schema",
    "prompt_from_json",
]
