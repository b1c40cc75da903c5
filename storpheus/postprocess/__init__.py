"""Post-processing: an ordered, recorded pipeline of optional steps, and expressiveness.

* :mod:`~storpheus.postprocess.steps` — the steps: :class:`TransposeToKey`,
  :class:`RegisterShift`, :class:`Quantize`, :class:`Swing`,
  :class:`DurationCleanup`, :class:`TrimToBars`, :class:`VelocityRescale`;
* :mod:`~storpheus.postprocess.pipeline` — :class:`Pipeline`,
  :func:`default_pipeline`, :func:`pipeline_for` and the per-step records;
* :mod:`~storpheus.postprocess.expressiveness` — :func:`apply_expressiveness`
  (seeded humanisation, sustain/expression/mod-wheel CC, pitch bends), returning
  notes, CC events and pitch bends as an ``ExpressivenessResult``.

Example
-------
>>> from storpheus.notes import NoteArray
>>> from storpheus.postprocess import default_pipeline
>>> result = default_pipeline(grid=0.25, bars=1).run(NoteArray([60], 90, 0.1, 8.0))
>>> result.notes.start_beat.tolist(), result.notes.duration_beats.tolist()
([0.0], [4.0])
>>> result.metadata["postprocess"][-1]["step"]
'trim_to_bars'
"""

from storpheus.postprocess.expressiveness import (
    Expression,
    ExpressivenessConfig,
    ExpressivenessResult,
    apply_expressiveness,
    apply_expressiveness_dicts,
)
from storpheus.postprocess.pipeline import (
    Pipeline,
    PostProcessResult,
    StepRecord,
    as_part,
    default_pipeline,
    pipeline_for,
    run_steps,
)
from storpheus.postprocess.steps import (
    DurationCleanup,
    Part,
    Quantize,
    RegisterShift,
    Step,
    Swing,
    TransposeToKey,
    TrimToBars,
    VelocityRescale,
)

__all__ = [
    "DurationCleanup",
    "Expression",
    "ExpressivenessConfig",
    "ExpressivenessResult",
    "Part",
    "Pipeline",
    "PostProcessResult",
    "Quantize",
    "RegisterShift",
    "Step",
    "StepRecord",
    "Swing",
    "TransposeToKey",
    "TrimToBars",
    "VelocityRescale",
    "apply_expressiveness",
    "apply_expressiveness_dicts",
    "as_part",
    "default_pipeline",
    "pipeline_for",
    "run_steps",
]
