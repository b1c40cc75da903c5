"""Wire models (camelCase JSON) of the Muse log graph.

These are the shapes of the whole log graph of a project, for a DAW or web client:
:class:`MuseLogGraphResponse` holds the project id, HEAD and every commit as
a :class:`MuseLogNodeResponse`, topologically sorted (parents before
children). Field names are camelCase by declaration.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MuseLogNodeResponse(BaseModel):
    """One commit node of the Muse DAG."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Commit id (64 hex digits)")
    parent: str | None = Field(description="First parent (null for a root commit)")
    parent2: str | None = Field(description="Second parent (null unless a merge commit)")
    isHead: bool = Field(description="True if this commit is the current HEAD")  # noqa: N815
    timestamp: float = Field(description="POSIX timestamp of the commit")
    intent: str | None = Field(description="Commit message (intent)")
    regions: list[str] = Field(description="Region ids this commit changed")
    author: str = Field(description="Author: a person, 'agent:<role>' or 'muse'")
    variationId: str | None = Field(  # noqa: N815
        default=None, description="Variation the commit accepted, if any"
    )


class MuseLogGraphResponse(BaseModel):
    """The full commit DAG of a project, topologically sorted."""

    model_config = ConfigDict(frozen=True)

    projectId: str = Field(description="Project id")  # noqa: N815
    head: str | None = Field(description="HEAD commit id (null if none)")
    nodes: list[MuseLogNodeResponse] = Field(description="Nodes, parents before children")
