"""Building blocks of the tool catalogue: parameter base class, tool specs, shared types.

Every ``stori_*`` tool is a :class:`ToolSpec`: its name, a description shown
to agents and users, a pydantic :class:`ToolParams` model that both validates
calls and generates the MCP ``inputSchema``, and metadata (category, execution
phase, kind, which entity it creates, which parameters hold entity ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, Field

from maestro_lab.wire import CamelModel
from storpheus.errors import KeyParseError
from storpheus.theory import normalise_key as theory_normalise_key

ToolPhase = Literal["setup", "instrument", "mixing"]
"""Execution phase: project-level setup, per-instrument work, shared mixing."""

ToolName = Literal[
    "stori_set_tempo",
    "stori_set_key",
    "stori_set_time_signature",
    "stori_add_midi_track",
    "stori_set_track_name",
    "stori_set_midi_program",
    "stori_add_midi_region",
    "stori_move_region",
    "stori_duplicate_region",
    "stori_delete_region",
    "stori_add_notes",
    "stori_clear_notes",
    "stori_quantize_notes",
    "stori_add_midi_cc",
    "stori_add_pitch_bend",
    "stori_add_aftertouch",
    "stori_set_track_volume",
    "stori_set_track_pan",
    "stori_mute_track",
    "stori_solo_track",
    "stori_add_insert_effect",
    "stori_ensure_bus",
    "stori_add_send",
    "stori_generate_midi",
]
"""The closed set of tool names: a :class:`ToolSpec`, an applier and a planner step can only
name one of these (mypy checks it), and the registry holds exactly these (a test checks it)."""

EntityKind = Literal["track", "region", "bus"]
"""Kinds of project entity a tool can create."""

ROLES: Final = ("drums", "bass", "chords", "melody", "arp", "pads", "fx", "lead")
"""Instrument roles of the generation vocabulary (``GenerationStepDict.role``)."""

Role = Literal["drums", "bass", "chords", "melody", "arp", "pads", "fx", "lead"]

EFFECT_TYPES: Final = (
    "reverb",
    "delay",
    "compressor",
    "eq",
    "distortion",
    "filter",
    "chorus",
    "modulation",
    "overdrive",
    "phaser",
    "flanger",
    "tremolo",
)
EffectType = Literal[
    "reverb",
    "delay",
    "compressor",
    "eq",
    "distortion",
    "filter",
    "chorus",
    "modulation",
    "overdrive",
    "phaser",
    "flanger",
    "tremolo",
]


EntityRef = Annotated[str, Field(min_length=1, max_length=200)]
"""An entity id (or, for tracks, a track name) as given in a tool call."""

DisplayName = Annotated[str, Field(min_length=1, max_length=200)]
"""A display name of a track, region or bus."""


class ToolTier(Enum):
    """Where a tool runs: TIER1 server-side (generation), TIER2 on the project (DAW)."""

    TIER1 = "tier1"
    TIER2 = "tier2"


class ToolKind(Enum):
    """PRIMITIVE edits the project; GENERATOR makes music; MACRO expands to others."""

    PRIMITIVE = "primitive"
    GENERATOR = "generator"
    MACRO = "macro"


@dataclass(frozen=True)
class ParamProblem:
    """One problem with a tool call's parameters: the parameter path and why."""

    parameter: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.parameter or '(parameters)'}: {self.reason}"


class ToolParams(CamelModel):
    """Base of every tool's parameters: camelCase keys, unknown keys refused."""

    def cross_check(self) -> tuple[ParamProblem, ...]:
        """Problems involving several parameters at once (none by default)."""
        return ()


class TrackRefParams(ToolParams):
    """Base of the tools that act on one track, named by ``trackId`` or ``trackName``.

    ``trackId`` takes a track id (or, leniently, a track name); ``trackName``
    a display name. Give one of them; if both are given they must agree.
    """

    track_id: EntityRef | None = Field(default=None, description="track id")
    track_name: DisplayName | None = Field(default=None, description="track display name")

    def cross_check(self) -> tuple[ParamProblem, ...]:
        """One of ``trackId`` / ``trackName`` is required."""
        if self.track_id is None and self.track_name is None:
            return (ParamProblem("trackId", "give trackId or trackName to choose the track"),)
        return ()


@dataclass(frozen=True)
class ToolSpec:
    """One tool of the catalogue.

    Parameters
    ----------
    name:
        The ``stori_*`` wire name.
    description:
        What the tool does, shown to agents (MCP ``description``).
    params:
        The pydantic model of the tool's parameters.
    category:
        ``project``, ``track``, ``region``, ``notes``, ``midi_control``,
        ``effects``, ``mixing`` or ``generation``.
    phase:
        The execution phase calls of this tool belong to.
    kind, tier:
        Primitive / generator / macro, and where it runs.
    creates_entity:
        The kind of entity a call creates, if any.
    id_fields:
        Parameters that refer to existing entities (``trackId``, ``regionId``).
    reversible:
        Whether the change can be undone by another tool call.
    """

    name: ToolName
    description: str
    params: type[ToolParams]
    category: str
    phase: ToolPhase
    kind: ToolKind = ToolKind.PRIMITIVE
    tier: ToolTier = ToolTier.TIER2
    creates_entity: EntityKind | None = None
    id_fields: tuple[str, ...] = ()
    reversible: bool = True

    @property
    def server_side(self) -> bool:
        """Whether the runtime (not the project state) executes the tool."""
        return self.tier is ToolTier.TIER1


# ----------------------------------------------------------------- key names
def normalise_key(text: str) -> str:
    """A key name in the canonical ``"<tonic> <mode>"`` form (``"F#m"`` -> ``"F# minor"``).

    The one key vocabulary (:func:`storpheus.theory.normalise_key`): a tool
    accepts every key a prompt accepts. Raises a ``ValueError``
    (:class:`~storpheus.errors.KeyParseError`) naming the text otherwise.

    Examples
    --------
    >>> normalise_key("Am"), normalise_key("eb major"), normalise_key("C harmonic minor")
    ('A minor', 'Eb major', 'C harmonic minor')
    """
    try:
        return theory_normalise_key(text)
    except KeyParseError as exc:
        raise ValueError(f"{text!r} is not a key: {exc.reason}") from None


KeyName = Annotated[
    str,
    Field(min_length=1, max_length=40, description="key such as 'C', 'Am' or 'F# minor'"),
    AfterValidator(normalise_key),
]
"""A key name, normalised to ``"<tonic> <mode>"`` on validation."""

HexColor = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="hex colour #RRGGBB")]
