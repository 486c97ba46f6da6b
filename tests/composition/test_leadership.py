"""The background work runs only while this process holds the lease: started when it is taken, stopped
when it is lost, taken over when the holder goes. Against an in-memory lease (no database)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from dataledger.composition.leadership import CallbackTask, Leadership, ThreadTask


@dataclass
class FakeLease:
    """A lease shared by the fake processes of one test: ``owner`` is whoever holds it."""

    board: dict[str, str | None]
    me: str
    shared: bool = True
    closed: bool = False

    @property
    def held(self) -> bool:
        return self.board["owner"] == self.me

    def try_acquire(self) -> bool:
        if self.board["owner"] is None:
            self.board["owner"] = self.me
        return self.held

    def others_present(self) -> bool:
        return True

    def holder(self) -> str | None:
        return self.board["owner"]

    def close(self) -> None:
        self.closed = True
        if self.held:
            self.board["owner"] = None


@dataclass
class Recorder:
    events: list[str] = field(default_factory=list)

    def task(self, name: str) -> CallbackTask:
        return CallbackTask(
            name, lambda: self.events.append(f"start {name}"), lambda: self.events.append(f"stop {name}")
        )


def test_only_the_holder_runs_the_tasks_and_the_other_takes_over_when_it_closes() -> None:
    board: dict[str, str | None] = {"owner": None}
    first, second = Recorder(), Recorder()
    leader = Leadership(FakeLease(board, "first"), retry_s=3600)
    standby = Leadership(FakeLease(board, "second"), retry_s=3600)
    for leadership, recorder in ((leader, first), (standby, second)):
        leadership.add(recorder.task("recovery"))
        leadership.add(recorder.task("batcher"))
        leadership.check()

    assert (leader.leading, standby.leading) == (True, False)
    assert first.events == ["start recovery", "start batcher"] and second.events == []

    leader.close()  # its lease goes with it
    assert first.events[-2:] == ["stop batcher", "stop recovery"]
    assert standby.check() is True
    assert second.events == ["start recovery", "start batcher"]
    standby.close()


def test_a_holder_that_loses_the_lease_stops_its_tasks_and_resumes_when_it_gets_it_back() -> None:
    board: dict[str, str | None] = {"owner": None}
    recorder = Recorder()
    leadership = Leadership(FakeLease(board, "me"), retry_s=3600)
    leadership.add(recorder.task("batcher"))
    assert leadership.check()

    board["owner"] = "someone else"  # the session ended and another process took the lease
    assert leadership.check() is False
    assert recorder.events == ["start batcher", "stop batcher"]

    board["owner"] = None
    assert leadership.check() is True
    assert recorder.events == ["start batcher", "stop batcher", "start batcher"]
    assert leadership.acquisitions == 2
    leadership.close()


def test_a_task_added_while_leading_starts_at_once_and_a_standby_one_waits() -> None:
    board: dict[str, str | None] = {"owner": "another process"}
    recorder = Recorder()
    leadership = Leadership(FakeLease(board, "me"), retry_s=3600)
    leadership.check()
    leadership.add(recorder.task("indexer"))
    assert recorder.events == []
    board["owner"] = None
    leadership.check()
    leadership.add(recorder.task("checkpoints"))
    assert recorder.events == ["start indexer", "start checkpoints"]
    leadership.close()


def test_shutdown_takes_a_free_lease_to_drain_but_starts_nothing_and_stops_asking() -> None:
    board: dict[str, str | None] = {"owner": "the holder"}
    recorder = Recorder()
    leadership = Leadership(FakeLease(board, "me"), retry_s=3600)
    leadership.add(recorder.task("batcher"))
    leadership.check()
    assert leadership.take_for_shutdown() is False  # the holder is alive: it anchors
    board["owner"] = None  # the holder shut down first
    assert leadership.take_for_shutdown() is True
    assert recorder.events == []
    assert leadership.check() is True and recorder.events == []  # no more takeovers while stopping
    leadership.close()
    assert board["owner"] is None


def test_a_thread_task_runs_its_first_round_before_start_returns_then_its_loop_until_stopped() -> None:
    rounds: list[str] = []
    looping = threading.Event()

    def loop(stop: threading.Event) -> None:
        looping.set()
        stop.wait()
        rounds.append("loop ended")

    task = ThreadTask("recovery", loop, first=lambda: rounds.append("first round"))
    task.start()
    assert rounds == ["first round"]
    assert looping.wait(10) and task.thread is not None and task.thread.is_alive()
    task.stop()
    assert rounds == ["first round", "loop ended"] and task.thread is None


def test_a_first_round_that_fails_does_not_cancel_the_task() -> None:
    looping = threading.Event()

    def fail() -> None:
        raise RuntimeError("the chain is away")

    def loop(stop: threading.Event) -> None:
        looping.set()
        stop.wait()

    task = ThreadTask("recovery", loop, first=fail)
    task.start()
    assert looping.wait(10)
    task.stop()


def test_a_lease_nobody_else_can_take_needs_no_retry_thread() -> None:
    board: dict[str, str | None] = {"owner": None}
    leadership = Leadership(FakeLease(board, "sqlite", shared=False), retry_s=0.01)
    before = threading.active_count()
    leadership.start()
    assert leadership.leading
    assert threading.active_count() == before
    leadership.close()
