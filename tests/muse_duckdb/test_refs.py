from __future__ import annotations

import pytest

from muse_duckdb.errors import (
    AmbiguousRefError,
    InvalidRefNameError,
    NoCommitsError,
    RefNotFoundError,
)
from muse_duckdb.history.refs import check_ref_name
from muse_duckdb.repository import PendingCommit
from tests.muse_duckdb.states import piano_state


def test_ref_resolution_by_name_prefix_and_ancestry(repo):
    a = repo.commit(piano_state([60]), "a")
    b = repo.commit(piano_state([61]), "b")
    repo.branch("side", a.commit_id)
    repo.tag("stage:mix", b.commit_id)
    assert repo.resolve("HEAD") == b.commit_id
    assert repo.resolve("HEAD~1") == a.commit_id
    assert repo.resolve("HEAD^") == a.commit_id
    assert repo.resolve("main~1") == a.commit_id
    assert repo.resolve("side") == a.commit_id
    assert repo.resolve("stage:mix") == b.commit_id
    assert repo.resolve(b.commit_id[:7]) == b.commit_id
    assert repo.resolve(b.commit_id[:7].upper()) == b.commit_id


def test_second_parent_of_a_merge(repo):
    repo.commit(piano_state([60, 62]), "base")
    repo.branch("side")
    ours = repo.commit(piano_state([61, 62]), "ours")
    repo.checkout("side")
    theirs = repo.commit(piano_state([60, 63]), "theirs")
    repo.checkout("main")
    repo.merge("main", "side")
    assert repo.resolve("HEAD^1") == ours.commit_id
    assert repo.resolve("HEAD^2") == theirs.commit_id
    assert repo.resolve("HEAD^2~1") == repo.resolve("HEAD~2")


def test_unknown_ref_names_the_ref_and_suggests_close_names(repo):
    repo.commit(piano_state(), "a")
    repo.branch("feature-bass")
    with pytest.raises(RefNotFoundError) as info:
        repo.resolve("feature-bas")
    assert info.value.ref == "feature-bas"
    assert "feature-bass" in info.value.suggestions
    assert "feature-bas" in str(info.value)
    with pytest.raises(RefNotFoundError, match="has no parent"):
        repo.resolve("HEAD~5")
    with pytest.raises(RefNotFoundError, match="second parent"):
        repo.resolve("HEAD^2")
    with pytest.raises(RefNotFoundError):
        repo.resolve("deadbeef")


def test_ambiguous_prefix_lists_the_candidates(repo):
    items = [PendingCommit(piano_state([40 + i % 50, 100 - i % 30]), f"c{i}") for i in range(700)]
    repo.commit_many(items, skip_unchanged=False)
    ids = repo.log().ids
    prefixes: dict[str, list[str]] = {}
    for cid in ids:
        prefixes.setdefault(cid[:4], []).append(cid)
    prefix, matches = next((p, m) for p, m in sorted(prefixes.items()) if len(m) > 1)
    with pytest.raises(AmbiguousRefError) as info:
        repo.resolve(prefix)
    assert info.value.ref == prefix
    assert set(matches) <= set(info.value.candidates)
    assert repo.resolve(matches[0][:12]) == matches[0]


def test_head_of_an_empty_project_has_no_commits(repo):
    with pytest.raises(NoCommitsError, match="no commits yet"):
        repo.resolve("HEAD")
    with pytest.raises(NoCommitsError):
        repo.resolve("main")


@pytest.mark.parametrize(
    "name", ["", "HEAD", "-x", "a..b", "a/", "a b", "x~1", "x^2", "abcdef12", "a//b", "x:"]
)
def test_invalid_ref_names_are_rejected(name):
    with pytest.raises(InvalidRefNameError) as info:
        check_ref_name(name, "branch")
    assert info.value.name == name


@pytest.mark.parametrize("name", ["main", "feature/bass", "stage:mixed", "v1.0", "take_2"])
def test_valid_ref_names(name):
    assert check_ref_name(name, "tag") == name
