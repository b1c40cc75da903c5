"""The Maestro runtime: from a plan to a committed, reproducible composition.

Submodules load on demand so ``import maestro_lab`` stays fast:

* :mod:`maestro_lab.runtime.events` — typed, camelCase wire events (``MaestroEvent``);
* :mod:`maestro_lab.runtime.stream` — :class:`~maestro_lab.runtime.stream.EventStream`,
  which numbers events and checks their order as they are emitted;
* :mod:`maestro_lab.runtime.ordering` — the ordering invariants of a stream;
* :mod:`maestro_lab.runtime.protocol` — JSON Schemas of every event and tool and the
  protocol hash;
* :mod:`maestro_lab.runtime.contracts` — the frozen contract lineage of a composition;
* :mod:`maestro_lab.runtime.backends_registry` — generation backends by name
  (built-ins, :func:`~maestro_lab.runtime.backends_registry.register_backend`,
  the ``maestro_lab.backends`` entry points);
* :mod:`maestro_lab.runtime.orchestrator` — executes a plan: setup, one instrument
  agent per track on a worker pool (drums first), mixing;
* :mod:`maestro_lab.runtime.agents` — an instrument agent: request, rejection
  sampling, finishing (:mod:`~maestro_lab.runtime.finishing`), region writes;
* :mod:`maestro_lab.runtime.context` — ``CompositionContext`` and drum telemetry;
* :mod:`maestro_lab.runtime.session` — a whole run: checks, plan, agents, variation
  (:mod:`~maestro_lab.runtime.variation`), commit and telemetry
  (:mod:`~maestro_lab.runtime.commit`, :mod:`~maestro_lab.runtime.recording`);
* :mod:`maestro_lab.runtime.reproduce` and :mod:`maestro_lab.runtime.rescore` —
  re-run a commit and verify it; re-choose a run's candidates with another scorer.

The public entry points are :func:`maestro_lab.compose`, :func:`maestro_lab.stream`,
:func:`maestro_lab.propose`, :func:`maestro_lab.reproduce` and :func:`maestro_lab.rescore`.
"""
