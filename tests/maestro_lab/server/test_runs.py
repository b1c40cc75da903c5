"""ComposeJob without a server: batches in order, and cancellation up to the commit step only."""

from __future__ import annotations

import asyncio
import threading

from maestro_lab.runtime.events import (
    CompleteEvent,
    MaestroEvent,
    PlanEvent,
    PlanStep,
    PlanStepUpdateEvent,
    StateEvent,
    StatusEvent,
)
from maestro_lab.runtime.stream import EventStream
from maestro_lab.server.errors import RunCancelledError
from maestro_lab.server.runs import ComposeJob


def _run(cancel_at: str) -> tuple[list[MaestroEvent], BaseException | None, bool]:
    """Run a scripted composition; the client cancels when the script reaches ``cancel_at``."""
    reached = threading.Event()
    resume = threading.Event()

    def execute(stream: EventStream) -> None:
        def pause(where: str) -> None:
            if where == cancel_at:
                reached.set()
                resume.wait(10)

        stream.emit(StateEvent(state="reasoning", intent="ask", execution_mode="reasoning"))
        steps = [PlanStep(step_id="commit", label="commit", phase="commit")]
        stream.emit(PlanEvent(plan_id="p", title="t", steps=steps))
        for i in range(50):
            stream.emit(StatusEvent(message=f"part {i}"))
        pause("before-commit")
        stream.emit(PlanStepUpdateEvent(step_id="commit", status="active", phase="commit"))
        pause("in-commit")
        stream.emit(PlanStepUpdateEvent(step_id="commit", status="completed", phase="commit"))
        stream.emit(CompleteEvent(success=True, run_id="run-x", commit_id="c1"))

    async def scenario() -> tuple[list[MaestroEvent], BaseException | None, bool]:
        loop = asyncio.get_running_loop()
        done = threading.Event()
        job = ComposeJob(execute, "run-x", loop, done.set).start()
        received: list[MaestroEvent] = []
        async for batch in job.batches():
            received.extend(batch)
            if reached.is_set() and not job.cancelled:
                job.cancel()
                resume.set()
        assert done.wait(10)
        assert job.join(10)
        return received, job.error, len(received) == len(job.stream.events)

    return asyncio.run(scenario())


def test_batches_carry_every_event_in_order() -> None:
    received, error, complete = _run(cancel_at="never")
    assert error is None
    assert complete
    assert [e.seq for e in received] == list(range(len(received)))
    assert received[-1].type == "complete"


def test_cancel_before_the_commit_step_stops_the_run() -> None:
    received, error, _ = _run(cancel_at="before-commit")
    assert isinstance(error, RunCancelledError)
    assert "run-x" in str(error)
    assert not any(getattr(e, "step_id", None) == "commit" for e in received)
    assert received[-1].type == "status"


def test_cancel_once_the_commit_started_lets_the_run_finish() -> None:
    received, error, _ = _run(cancel_at="in-commit")
    assert error is None
    assert received[-1].type == "complete"
