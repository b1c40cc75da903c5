"""The ``stori_*`` tool catalogue, by category."""

from __future__ import annotations

from maestro_lab.tools.base import ToolSpec
from maestro_lab.tools.catalog.generation import GENERATION_TOOLS
from maestro_lab.tools.catalog.mixing import MIXING_TOOLS
from maestro_lab.tools.catalog.notes import NOTE_TOOLS
from maestro_lab.tools.catalog.project import PROJECT_TOOLS
from maestro_lab.tools.catalog.region import REGION_TOOLS
from maestro_lab.tools.catalog.track import TRACK_TOOLS

ALL_TOOLS: tuple[ToolSpec, ...] = (
    *PROJECT_TOOLS,
    *TRACK_TOOLS,
    *REGION_TOOLS,
    *NOTE_TOOLS,
    *MIXING_TOOLS,
    *GENERATION_TOOLS,
)
"""Every tool, in catalogue order (project, track, region, notes, mixing, generation)."""

__all__ = ["ALL_TOOLS"]
