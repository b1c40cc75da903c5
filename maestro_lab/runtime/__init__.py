"""The Maestro runtime: event protocol, contracts and (later) the orchestrator.

Submodules load on demand so ``import maestro_lab`` stays fast:

* :mod:`maestro_lab.runtime.events` — typed, camelCase wire events (``MaestroEvent``);
* :mod:`maestro_lab.runtime.stream` — :class:`~maestro_lab.runtime.stream.EventStream`,
  which numbers events and checks their order as they are emitted;
* :mod:`maestro_lab.runtime.ordering` — the ordering invariants of a stream;
* :mod:`maestro_lab.runtime.protocol` — JSON Schemas of every event and tool and the
  protocol hash;
* :mod:`maestro_lab.runtime.contracts` — the frozen contract lineage of a composition.
"""
