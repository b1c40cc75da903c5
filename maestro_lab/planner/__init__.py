"""The deterministic planner: a prompt (and project) in, a :class:`CompositionPlan` out.

Example
-------
>>> from maestro_lab.planner import plan, validate_plan
>>> p = plan('''MAESTRO PROMPT
... Mode: compose
... Style: boom bap
... Key: Am
... Role: [drums, bass, piano]
... Constraints: {bars: 8}''', seed=42)
>>> [s.name for s in p.sections], [r.track_name for r in p.roles]
(['intro', 'verse', 'hook', 'outro'], ['Drums', 'Bass', 'Piano'])
>>> validate_plan(p).valid
True
"""

from maestro_lab.planner.build import plan
from maestro_lab.planner.model import (
    PLAN_FORMAT,
    PLANNER_VERSION,
    CompositionPlan,
    GenerationStep,
    RolePlan,
    SectionPlan,
)
from maestro_lab.planner.natural import prompt_from_text
from maestro_lab.planner.project import ProjectView
from maestro_lab.planner.validate import PlanValidation, validate_plan
from maestro_lab.planner.wire import plan_schema, plan_wire_schema
from maestro_lab.roles import ROLES, normalise_role
from maestro_lab.tools.phases import PhaseSplit
from maestro_lab.tools.validation import ToolCall

__all__ = [
    "PLANNER_VERSION",
    "PLAN_FORMAT",
    "ROLES",
    "CompositionPlan",
    "GenerationStep",
    "PhaseSplit",
    "PlanValidation",
    "ProjectView",
    "RolePlan",
    "SectionPlan",
    "ToolCall",
    "normalise_role",
    "plan",
    "plan_schema",
    "plan_wire_schema",
    "prompt_from_text",
    "validate_plan",
]
