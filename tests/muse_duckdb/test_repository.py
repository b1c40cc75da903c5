from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from muse_duckdb import ProjectState, Repository, init
from muse_duckdb.errors import (
    DirtyWorkingTreeError,
    InvalidCommitError,
    NoCommitsError,
    NothingToCommitError,
    RefExistsError,
    RefNotFoundError,
)
from storpheus.notes import NoteArray
from tests.muse_duckdb.states import band_state, notes, piano_state, project_states, with_notes


def test_checkout_returns_exactly_the_committed_state(repo):
    state = band_state()
    commit = repo.commit(state, "band", author="ada")
    other = repo.commit(piano_state(), "piano only")
    result = repo.checkout(commit.commit_id)
    assert result.state == state
    assert result.state.snapshot_id == commit.snapshot_id
    assert result.previous == other.commit_id
    assert result.branch is None  # detached
    assert repo.head().commit_id == commit.commit_id


def test_commit_records_parents_author_kind_and_metadata(repo):
    first = repo.commit(piano_state(), "start", author="ada")
    second = repo.commit(
        piano_state([60, 61]),
        "agent edit",
        author="agent:melody",
        explanation="shorter",
        metadata={"seed": 7, "plan_hash": "abc", "scorer_id": "s1", "run_id": "r9"},
    )
    assert second.parents == (first.commit_id,)
    assert second.generation == 2
    assert second.author_kind == "agent"
    assert first.author_kind == "person"
    assert second.metadata == {"seed": 7, "plan_hash": "abc", "scorer_id": "s1", "run_id": "r9"}
    assert repo.get_commit("HEAD") == second
    assert second.affected_regions == ("piano/a",)


def test_log_lists_ancestors_newest_first_and_converts_to_pandas(repo):
    ids = [repo.commit(piano_state([60 + i]), f"v{i}").commit_id for i in range(5)]
    log = repo.log()
    assert [c.commit_id for c in log] == ids[::-1]
    assert log.ids == ids[::-1]
    assert [c.message for c in repo.log("HEAD~2")] == ["v2", "v1", "v0"]
    assert len(repo.log(limit=2)) == 2
    frame = log.to_pandas()
    assert list(frame["message"]) == ["v4", "v3", "v2", "v1", "v0"]
    assert str(frame["committed_at"].dt.tz) == "UTC"


def test_log_of_an_empty_project_is_empty(repo):
    assert list(repo.log()) == []
    with pytest.raises(NoCommitsError):
        repo.get_commit("HEAD")


def test_log_graph_is_topological_with_camel_case_wire_shape(repo):
    base = repo.commit(piano_state(), "base")
    repo.branch("side")
    ours = repo.commit(piano_state([61, 62, 64, 65]), "ours")
    repo.checkout("side")
    theirs = repo.commit(piano_state([60, 62, 64, 66]), "theirs")
    merged = repo.merge("side", "main").commit
    graph = repo.log_graph().to_response().model_dump()
    order = [n["id"] for n in graph["nodes"]]
    assert order[0] == base.commit_id
    assert order[-1] == merged.commit_id
    assert set(order[1:3]) == {ours.commit_id, theirs.commit_id}
    last = graph["nodes"][-1]
    assert last["parent"] == theirs.commit_id
    assert last["parent2"] == ours.commit_id
    assert last["isHead"] is True
    assert graph["head"] == merged.commit_id
    assert graph["projectId"] == "test"
    assert last["regions"] == ["piano/a"]


def test_nothing_to_commit_unless_allowed(repo):
    repo.commit(piano_state(), "one")
    with pytest.raises(NothingToCommitError, match="identical to HEAD"):
        repo.commit(piano_state(), "same again")
    again = repo.commit(piano_state(), "same again", allow_empty=True)
    assert again.snapshot_id == repo.get_commit("HEAD~1").snapshot_id


def test_identical_content_is_stored_once(repo):
    repo.commit(band_state(), "one")
    repo.commit(with_notes(band_state(), "bass/verse", notes([36])), "two")
    repo.commit(band_state(), "back")
    report = repo.check_integrity()
    assert report.ok
    assert report.counts["snapshots"] == 2
    assert report.counts["region_objects"] == 5  # four regions, one changed once


def test_branches_and_namespaced_tags(repo):
    first = repo.commit(piano_state(), "one")
    repo.tag("stage:draft")
    second = repo.commit(piano_state([70]), "two")
    repo.branch("idea", "HEAD~1")
    assert repo.branches() == {"idea": first.commit_id, "main": second.commit_id}
    assert repo.tags() == {"stage:draft": first.commit_id}
    assert repo.resolve("stage:draft") == first.commit_id
    with pytest.raises(RefExistsError, match="already exists"):
        repo.branch("idea")
    repo.branch("idea", force=True)
    assert repo.branches()["idea"] == second.commit_id
    repo.delete_tag("stage:draft")
    assert repo.tags() == {}
    with pytest.raises(InvalidCommitError, match="checked out"):
        repo.delete_branch("main")


def test_commit_on_another_branch_leaves_head_alone(repo):
    main = repo.commit(piano_state(), "main work")
    side = repo.commit(piano_state([50]), "side work", branch="sketch")
    assert side.parents == (main.commit_id,)
    assert repo.head().commit_id == main.commit_id
    assert repo.branches()["sketch"] == side.commit_id


def test_checkout_refuses_a_dirty_working_state_unless_forced(repo):
    first = repo.commit(piano_state(), "one")
    repo.commit(piano_state([70, 71]), "two")
    edited = piano_state([70, 72])
    with pytest.raises(DirtyWorkingTreeError, match="piano/a") as info:
        repo.checkout(first.commit_id, working=edited)
    assert info.value.head == repo.head().commit_id
    status = repo.sync_working(edited)
    assert status.dirty
    with pytest.raises(DirtyWorkingTreeError):
        repo.checkout(first.commit_id)
    assert repo.checkout(first.commit_id, force=True).state == piano_state()
    assert not repo.status().dirty


def test_checkout_of_a_branch_attaches_head_and_create_branch(repo):
    repo.commit(piano_state(), "one")
    result = repo.checkout("main")
    assert result.branch == "main"
    created = repo.checkout("HEAD", create_branch="feature")
    assert created.branch == "feature"
    repo.commit(piano_state([90]), "on feature")
    assert repo.head().branch == "feature"
    assert repo.branches()["main"] != repo.branches()["feature"]


def test_status_reports_changes_against_head(repo):
    repo.commit(band_state(), "one")
    working = with_notes(band_state(), "piano/verse", notes([60, 64, 67, 71]))
    status = repo.status(working)
    assert status.dirty
    assert status.diff.region("piano/verse").status == "modified"
    assert status.to_dict()["dirty"] is True
    assert not repo.status(band_state()).dirty


def test_commit_accepts_a_score_lined_up_with_head_regions(repo):
    from muse_duckdb import RegionLayout, project_to_score

    state = band_state()
    repo.commit(state, "as state")
    score = project_to_score(state)
    again = repo.commit(score, "same music as a score", allow_empty=True)
    assert again.snapshot_id == state.snapshot_id  # regions matched HEAD's
    fresh = Repository.open(":memory:", "x")
    c = fresh.commit(score, "whole tracks", layout=RegionLayout.whole())
    assert fresh.snapshot(c.commit_id).region_ids == ("bass/main", "piano/main")
    assert fresh.score().n_notes == score.n_notes


def test_explicit_timestamp_and_fixed_clock_give_reproducible_ids(clock):
    def make() -> str:
        r = Repository.open(":memory:", "p", clock=lambda: 1)
        when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        return r.commit(piano_state(), "x", timestamp=when).commit_id

    assert make() == make()
    r = Repository.open(":memory:", "p")
    with pytest.raises(InvalidCommitError, match="timezone"):
        r.commit(piano_state(), "x", timestamp=datetime(2024, 5, 1))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"message": ""}, "message"),
        ({"author": " "}, "author"),
        ({"author": "agent:"}, "author"),
        ({"metadata": {"seed": object()}}, "metadata['seed']"),
        ({"metadata": {"x": float("nan")}}, "metadata['x']"),
    ],
)
def test_bad_commit_arguments_raise_invalid_commit_error(repo, kwargs, field):
    args = {"message": "ok", **kwargs}
    message = args.pop("message")
    with pytest.raises(InvalidCommitError) as info:
        repo.commit(piano_state(), message, **args)
    assert info.value.field == field
    assert list(repo.log()) == []


def test_commit_many_commits_in_order_and_skips_unchanged(repo):
    from muse_duckdb.repository import PendingCommit

    seen = []
    items = [
        PendingCommit(piano_state([60]), "a"),
        PendingCommit(piano_state([60]), "a again"),
        PendingCommit(piano_state([62]), "b", author="agent:piano"),
    ]
    made = repo.commit_many(items, progress=seen.append)
    assert [c.message for c in made] == ["a", "b"]
    assert seen[1] is None
    assert [c.message for c in repo.log()] == ["b", "a"]
    assert made[1].parents == (made[0].commit_id,)
    assert repo.check_integrity(deep=True).ok


def test_init_creates_a_file_with_head_on_the_given_branch(tmp_path):
    repo = init(tmp_path / "new.duckdb", "song", branch="trunk")
    assert repo.head().branch == "trunk"
    c = repo.commit(piano_state(), "first")
    assert repo.branches() == {"trunk": c.commit_id}
    reopened = Repository.open(tmp_path / "new.duckdb", "song")
    assert reopened.log()[0] == c
    assert reopened.projects() == ["song"]


def test_projects_in_one_file_are_independent(repo_factory):
    a = repo_factory("a")
    b = repo_factory("b")
    ca = a.commit(piano_state(), "in a")
    b.commit(piano_state([50]), "in b")
    assert [c.message for c in a.log()] == ["in a"]
    with pytest.raises(RefNotFoundError):
        b.resolve(ca.commit_id)


def test_empty_project_state_can_be_committed_and_checked_out(repo):
    c = repo.commit(ProjectState(), "empty")
    assert repo.checkout(c.commit_id).state == ProjectState()


def test_diff_between_refs_and_states(repo):
    repo.commit(band_state(), "one")
    changed = with_notes(band_state(), "bass/chorus", NoteArray([38], 100, [0.0], 1.0))
    repo.commit(changed.with_tracks([]), "two")
    d = repo.diff("HEAD~1", "HEAD")
    assert d.region("bass/chorus").notes.modified_before.pitch.tolist() == [38]
    assert len(d.region("bass/chorus").notes.removed) == 1
    assert repo.diff("HEAD", changed).is_empty


@pytest.fixture(scope="module")
def shared_repo():
    r = Repository.open(":memory:", "props", clock=lambda: 1_700_000_000_000_000)
    yield r
    r.close()


@settings(max_examples=40)
@given(state=project_states(grid=False))
def test_checkout_of_a_commit_gives_back_the_committed_state(shared_repo, state):
    commit = shared_repo.commit(state, "property", allow_empty=True)
    assert commit.snapshot_id == state.snapshot_id
    back = shared_repo.checkout(commit.commit_id, force=True).state
    assert back == state
    assert back.snapshot_id == state.snapshot_id
