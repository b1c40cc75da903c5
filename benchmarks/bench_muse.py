"""Muse on DuckDB versus git storing the same project states as JSON files.

The peer is the git CLI: one JSON file per region (one note per line, so
git's line merge and blame get their best chance) plus a project.json,
committed with ``git commit``. Both sides hold identical states.

Workload (full size): a project of 16 tracks x 64 bars (~20k notes) cut
into 8-bar regions (128 regions); a history of 1,000 commits, each changing
one region (half of them the same "hot" region); then 9,000 more commits
for the log measurement.

Measured (medians):

* commit of a one-region change - Muse per operation (the default: the file
  is attached for the operation and released after it), Muse in a held
  session, and git (``git commit -- <file>``, after writing the file); medians
  and means (Muse folds its write-ahead log into the file every ~64 KiB, so
  about every 8th one-region commit also pays a checkpoint);
* checkout of a random commit of the 1,000-commit history - Muse returns the
  full project state in memory; git ``checkout --detach`` (files on disk)
  and git checkout + parsing every region file back into note arrays;
* storage after 1,000 commits - the DuckDB file versus ``.git`` (loose
  objects, and after ``git gc``);
* log of 10,000 commits - ``Repository.log()`` with every field as a
  DataFrame versus ``git log`` with hash, parents, author, time, subject;
* blame of the hot region across the 1,000 commits - ``Repository.blame``
  versus ``git blame --line-porcelain``;
* merge suite - concurrent edits to disjoint notes of one region on two
  branches (velocity, pitch, timing, deletions, additions; 50 cases):
  conflicts reported by Muse versus by ``git merge``, and whether Muse's
  merged notes equal both edits applied. Every note field (channel included)
  is kept on both sides, files list notes in time order as an editor saves
  them, and each side adds its note near the notes it edits (half the cases
  edit neighbouring notes, half scattered ones), so git sees the line
  changes a real edit makes - not a rewritten channel on every line or two
  appends at the same end of the file.

Run ``python benchmarks/bench_muse.py`` (about two minutes) or ``--quick``
(seconds). Timings on a busy 2-core machine are noisy; the table shows
medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from muse_duckdb import ProjectState, RegionState, Repository, TrackState  # noqa: E402
from muse_duckdb.repository import PendingCommit  # noqa: E402
from storpheus.notes import NoteArray  # noqa: E402

T0_US = 1_700_000_000_000_000


@dataclass
class Config:
    """Workload sizes."""

    tracks: int = 16
    bars: int = 64
    bars_per_region: int = 8
    commits: int = 1000
    log_commits: int = 10_000
    merge_cases: int = 50
    samples: int = 25
    seed: int = 7


@dataclass
class Row:
    """One line of the results table."""

    name: str
    unit: str
    muse: float | None
    muse_session: float | None
    git: float | None
    git_extra: float | None = None
    note: str = ""


@dataclass
class Results:
    """Every figure of a run."""

    rows: list[Row] = field(default_factory=list)
    merge: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------ project
def build_project(cfg: Config, rng: np.random.Generator) -> ProjectState:
    """A deterministic project: dense 16ths for half the tracks, sparser for the rest."""
    tracks = []
    regions = []
    span = cfg.bars_per_region * 4.0
    for t in range(cfg.tracks):
        tid = f"t{t:02d}"
        tracks.append(TrackState(tid, f"Track {t}", program=t % 128, is_drum=(t == 9)))
        per_bar = 24 if t % 2 == 0 else 15
        for r in range(cfg.bars // cfg.bars_per_region):
            n = per_bar * cfg.bars_per_region
            slots = rng.choice(int(span * 4) * 6, size=n, replace=False)  # 24 slots per beat
            starts = np.sort(slots) / 24.0
            regions.append(
                RegionState(
                    f"{tid}/s{r}",
                    tid,
                    r * span,
                    span,
                    name=f"section {r}",
                    notes=NoteArray(
                        rng.integers(36, 96, n),
                        rng.integers(30, 120, n),
                        starts,
                        rng.integers(1, 8, n) / 8,
                    ),
                )
            )
    return ProjectState(tuple(tracks), tuple(regions), bpm=120, key="C major")


def edit_region(region: RegionState, rng: np.random.Generator, k: int = 3) -> RegionState:
    """Change ``k`` notes: velocity, a semitone, or a nudge of 1/24 beat."""
    n = region.notes
    pitch = n.pitch.astype(int).copy()
    velocity = n.velocity.astype(int).copy()
    start = n.start_beat.copy()
    for i in rng.choice(len(n), size=min(k, len(n)), replace=False):
        kind = rng.integers(3)
        if kind == 0:
            velocity[i] = velocity[i] % 126 + 1
        elif kind == 1:
            pitch[i] = pitch[i] + 1 if pitch[i] < 127 else pitch[i] - 1
        else:
            start[i] = start[i] + 1 / 24
    return region.with_events(notes=NoteArray(pitch, velocity, start, n.duration_beats))


def history(
    state: ProjectState, cfg: Config, rng: np.random.Generator, count: int, hot: str
) -> Iterator[tuple[ProjectState, str, str]]:
    """``count`` one-region commits: (state, changed region id, message)."""
    ids = state.region_ids
    for i in range(count):
        rid = hot if i % 2 == 0 else ids[int(rng.integers(len(ids)))]
        state = state.with_regions([edit_region(state.region(rid), rng)])
        yield state, rid, f"edit {rid} #{i}"


# ---------------------------------------------------------------------- git
def region_json(region: RegionState) -> str:
    """One region as JSON with one note per line."""
    n = region.notes
    lines = [
        f'    {{"pitch": {p}, "velocity": {v}, "channel": {c}, "startBeat": {s!r}, '
        f'"durationBeats": {d!r}}}'
        for p, v, c, s, d in zip(
            n.pitch.tolist(),
            n.velocity.tolist(),
            n.channel.tolist(),
            n.start_beat.tolist(),
            n.duration_beats.tolist(),
            strict=True,
        )
    ]
    head = json.dumps(
        {
            "regionId": region.region_id,
            "trackId": region.track_id,
            "name": region.name,
            "startBeat": region.start_beat,
            "durationBeats": region.duration_beats,
        }
    )[:-1]
    return head + ', "notes": [\n' + ",\n".join(lines) + "\n]}\n"


def project_json(state: ProjectState) -> str:
    return json.dumps(
        {
            "bpm": state.bpm,
            "key": state.key,
            "tracks": [t.to_dict() for t in state.tracks],
        },
        indent=1,
    )


def region_path(region_id: str) -> str:
    return f"regions/{region_id.replace('/', '_')}.json"


class Git:
    """A git repository driven through the CLI."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        }
        self.run("init", "-q", "-b", "main")
        # Default durability on both sides; no automatic gc while timing (storage is
        # reported loose and after an explicit gc).
        for key, value in (("gc.auto", "0"), ("commit.gpgsign", "false")):
            self.run("config", key, value)

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> bytes:
        """Run a git command in the repository; its stdout."""
        out = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=self.env,
            input=stdin,
            capture_output=True,
            check=False,
        )
        if check and out.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {out.stderr.decode()[:500]}")
        return out.stdout

    def fast_import(self, commits: Iterator[tuple[str, dict[str, str]]], branch: str) -> None:
        """Append commits (message, {path: content}) to ``branch`` with git fast-import."""
        parts: list[bytes] = []
        has_parent = bool(self.run("rev-parse", "--verify", "-q", branch, check=False).strip())
        for i, (message, files) in enumerate(commits):
            msg = message.encode()
            parts.append(f"commit refs/heads/{branch}\n".encode())
            parts.append(
                f"committer bench <bench@example.invalid> {1_700_000_000 + i} +0000\n".encode()
            )
            parts.append(b"data %d\n%s\n" % (len(msg), msg))
            if i == 0 and has_parent:
                parts.append(f"from refs/heads/{branch}^0\n".encode())
            for path, content in files.items():
                data = content.encode()
                parts.append(
                    b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
                )
        self.run("fast-import", "--quiet", "--force", stdin=b"".join(parts))

    def size(self) -> int:
        """Bytes under ``.git``."""
        return sum(f.stat().st_size for f in (self.path / ".git").rglob("*") if f.is_file())


def load_git_state(path: Path) -> int:
    """Parse every region file back into note arrays (what a checkout gives Muse users)."""
    total = 0
    for f in sorted((path / "regions").glob("*.json")):
        doc = json.loads(f.read_text())
        notes = doc["notes"]
        arr = NoteArray(
            [n["pitch"] for n in notes],
            [n["velocity"] for n in notes],
            [n["startBeat"] for n in notes],
            [n["durationBeats"] for n in notes],
            [n["channel"] for n in notes],
        )
        total += len(arr)
    return total


# ------------------------------------------------------------------- timing
def sample_ms(fn: Callable[[], object], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def median_ms(fn: Callable[[], object], samples: int) -> float:
    return statistics.median(sample_ms(fn, samples))


def mean_or_none(times: list[float] | None) -> float | None:
    return None if times is None else statistics.mean(times)


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.parent.glob(path.name + "*") if f.is_file())


# ---------------------------------------------------------------- the bench
def bench(cfg: Config, workdir: Path, use_git: bool, log: Callable[[str], None]) -> Results:
    res = Results()
    rng = np.random.default_rng(cfg.seed)
    base = build_project(cfg, rng)
    hot = base.region_ids[len(base.region_ids) // 3]
    log(f"project: {len(base.tracks)} tracks, {len(base.regions)} regions, {base.n_notes} notes")

    clock = iter(range(T0_US, T0_US + 10**15, 1_000_000))
    db = workdir / "muse.duckdb"
    repo = Repository.open(db, "bench", clock=lambda: next(clock))
    t = time.perf_counter()
    steps = list(history(base, cfg, np.random.default_rng(cfg.seed + 1), cfg.commits - 1, hot))
    repo.commit_many([PendingCommit(base, "initial")] + [PendingCommit(s, m) for s, _r, m in steps])
    log(f"muse: {cfg.commits} commits built in {time.perf_counter() - t:.1f} s")
    state = steps[-1][0] if steps else base

    git = Git(workdir / "git") if use_git else None
    if git is not None:
        t = time.perf_counter()
        first = {region_path(r.region_id): region_json(r) for r in base.regions}
        first["project.json"] = project_json(base)
        git.fast_import(
            iter(
                [("initial", first)]
                + [(m, {region_path(r): region_json(s.region(r))}) for s, r, m in steps]
            ),
            "main",
        )
        git.run("checkout", "-q", "-f", "main")
        log(f"git: {cfg.commits} commits built in {time.perf_counter() - t:.1f} s")

    # --- blame of the hot region across the history -------------------------
    muse_blame = median_ms(lambda: repo.blame(hot), max(3, cfg.samples // 5))
    with repo.session(write=False):
        muse_blame_s = median_ms(lambda: repo.blame(hot), max(3, cfg.samples // 5))
    git_blame = None
    if git is not None:
        git_blame = median_ms(
            lambda: git.run("blame", "--line-porcelain", "HEAD", "--", region_path(hot)),
            max(3, cfg.samples // 5),
        )
    versions = len(repo.history(hot))
    res.rows.append(Row(f"blame {hot} ({versions} versions)", "ms", muse_blame, muse_blame_s,
                        git_blame, note="goal: Muse <= 100 ms"))  # fmt: skip

    # --- checkout of a random commit ---------------------------------------
    ids = repo.log().ids
    git_ids = git.run("rev-list", "main").decode().split() if git is not None else []
    picks = np.random.default_rng(cfg.seed + 2).integers(len(ids), size=cfg.samples)
    it = iter(picks.tolist() * 3)
    muse_co = sample_ms(lambda: repo.checkout(ids[next(it)], force=True), cfg.samples)
    with repo.session():
        muse_co_s = sample_ms(lambda: repo.checkout(ids[next(it)], force=True), cfg.samples)
    git_co = git_co_load = None
    if git is not None:
        git_it = iter(picks.tolist() * 2)
        git_co = sample_ms(
            lambda: git.run("checkout", "-q", "--detach", git_ids[next(git_it)]), cfg.samples
        )

        def checkout_and_load() -> None:
            git.run("checkout", "-q", "--detach", git_ids[next(git_it)])
            load_git_state(git.path)

        git_co_load = sample_ms(checkout_and_load, cfg.samples)
        git.run("checkout", "-q", "main")
    repo.checkout("main", force=True)
    for how, stat in (("", statistics.median), (", mean", mean_or_none)):
        res.rows.append(
            Row(f"checkout random commit{how}", "ms", stat(muse_co), stat(muse_co_s),
                None if git_co is None else stat(git_co),
                None if git_co_load is None else stat(git_co_load),
                "git+load: checkout and parse all region files")
        )  # fmt: skip

    # --- commit of a one-region change -------------------------------------
    rng_c = np.random.default_rng(cfg.seed + 3)
    chosen = rng_c.integers(len(state.regions), size=3 * cfg.samples)
    edits = [
        (rid, edit_region(state.region(rid), rng_c))
        for rid in [state.region_ids[int(i)] for i in chosen]
    ]
    edit_it = iter(edits)
    current = [state]

    def muse_commit() -> None:
        rid, region = next(edit_it)
        current[0] = current[0].with_regions([region])
        repo.commit(current[0], f"bench {rid}")

    muse_commit_ms = sample_ms(muse_commit, cfg.samples)
    with repo.session():
        muse_commit_s = sample_ms(muse_commit, cfg.samples)
    git_commit = git_commit_durable = None
    if git is not None:
        git_edits = iter(edits)

        def git_commit_one(*config: str) -> None:
            rid, region = next(git_edits)
            path = region_path(rid)
            (git.path / path).write_text(region_json(region))
            git.run(*config, "commit", "-q", "--allow-empty", "-m", f"bench {rid}", "--", path)

        git_commit = sample_ms(git_commit_one, cfg.samples)
        # git's default does not fsync a commit; Muse's does (DuckDB syncs its WAL). The
        # like-for-like peer syncs the commit's objects and the ref, as Muse syncs its log.
        durable = ("-c", "core.fsync=loose-object,reference", "-c", "core.fsyncMethod=fsync")
        git_commit_durable = sample_ms(lambda: git_commit_one(*durable), cfg.samples)
    for how, stat in (("", statistics.median), (", mean", mean_or_none)):
        res.rows.append(
            Row(f"commit one-region change{how}", "ms", stat(muse_commit_ms), stat(muse_commit_s),
                None if git_commit is None else stat(git_commit),
                None if git_commit_durable is None else stat(git_commit_durable),
                note="git (alt): git with fsync of objects and ref, like Muse's synced log"
                if not how else
                "mean: includes the WAL checkpoint every ~8th commit")
        )  # fmt: skip

    # --- storage after the history -----------------------------------------
    n_commits = len(repo.log())
    muse_bytes = du(db)
    git_loose = git_packed = None
    if git is not None:
        git_loose = git.size()
        git.run("gc", "-q")
        git_packed = git.size()
    res.rows.append(
        Row(f"storage after {n_commits} commits", "MB", muse_bytes / 1e6, None,
            None if git_loose is None else git_loose / 1e6,
            None if git_packed is None else git_packed / 1e6,
            "git: loose objects | after git gc")
    )  # fmt: skip

    # --- merge suite ---------------------------------------------------------
    res.merge = merge_suite(repo, git, base, cfg, log)

    # --- log of many commits -------------------------------------------------
    extra = cfg.log_commits - n_commits
    if extra > 0:
        t = time.perf_counter()
        more = list(history(state, cfg, np.random.default_rng(cfg.seed + 4), extra, hot))
        repo.checkout("main", force=True)
        repo.commit_many(PendingCommit(s, m) for s, _r, m in more)
        log(f"muse: +{extra} commits in {time.perf_counter() - t:.1f} s")
        if git is not None:
            git.run("checkout", "-q", "main")
            git.fast_import(
                iter([(m, {region_path(r): region_json(s.region(r))}) for s, r, m in more]), "main"
            )
    total = len(repo.log())
    muse_log = median_ms(lambda: repo.log().to_pandas(), cfg.samples)
    with repo.session(write=False):
        muse_log_s = median_ms(lambda: repo.log().to_pandas(), cfg.samples)
    git_log = None
    if git is not None:
        git_log = median_ms(
            lambda: git.run("log", "--format=%H%x00%P%x00%an%x00%at%x00%s", "main").splitlines(),
            cfg.samples,
        )
    res.rows.append(Row(f"log of {total} commits", "ms", muse_log, muse_log_s, git_log,
                        note="goal: Muse <= 50 ms; every field as a DataFrame"))  # fmt: skip
    return res


# --------------------------------------------------------------- merge suite
def merge_suite(
    repo: Repository, git: Git | None, base: ProjectState, cfg: Config, log: Callable[[str], None]
) -> dict[str, float]:
    """Disjoint concurrent edits of one region on two branches; count conflicts."""
    rng = np.random.default_rng(cfg.seed + 5)
    base_commit = repo.log()[-1].commit_id
    git_base = git.run("rev-list", "--max-parents=0", "main").decode().split()[0] if git else ""
    muse_conflicts = muse_cases = git_cases = git_hunks = correct = 0
    t = time.perf_counter()
    for case in range(cfg.merge_cases):
        rid = base.region_ids[int(rng.integers(len(base.regions)))]
        region = base.region(rid)
        a_edits, b_edits = disjoint_edits(region, rng, case)
        a_region = apply_edits(region, [(0, a_edits)])
        b_region = apply_edits(region, [(1, b_edits)])
        both = apply_edits(region, [(0, a_edits), (1, b_edits)])
        expected = base.with_regions([both]).region(rid)
        repo.branch(f"a{case}", base_commit)
        repo.branch(f"b{case}", base_commit)
        repo.commit(base.with_regions([a_region]), f"a {case}", branch=f"a{case}")
        repo.commit(base.with_regions([b_region]), f"b {case}", branch=f"b{case}")
        try:
            outcome = repo.merge(f"a{case}", f"b{case}", force=True)
            merged = repo.snapshot(outcome.commit.commit_id).region(rid)
            correct += int(merged.notes == expected.notes)
        except Exception as exc:  # MergeConflictError
            n = len(getattr(exc, "conflicts", ())) or 1
            muse_conflicts += n
            muse_cases += 1
        if git is not None:
            path = region_path(rid)
            for name, reg in ((f"a{case}", a_region), (f"b{case}", b_region)):
                git.run("checkout", "-q", "-B", name, git_base)
                (git.path / path).write_text(region_json(reg))
                git.run("commit", "-q", "-m", name, "--", path)
            git.run("checkout", "-q", f"a{case}")
            out = subprocess.run(
                ["git", "merge", "-q", "--no-edit", f"b{case}"],
                cwd=git.path, env=git.env, capture_output=True, check=False,
            )  # fmt: skip
            if out.returncode != 0:
                git_cases += 1
                git_hunks += (git.path / path).read_text().count("<<<<<<<")
                git.run("merge", "--abort")
            git.run("checkout", "-q", "main")
    log(f"merge suite: {cfg.merge_cases} cases in {time.perf_counter() - t:.1f} s")
    return {
        "cases": cfg.merge_cases,
        "muse_cases_with_conflicts": muse_cases,
        "muse_conflicts": muse_conflicts,
        "muse_correct": correct,
        "git_cases_with_conflicts": git_cases if git else float("nan"),
        "git_conflict_hunks": git_hunks if git else float("nan"),
    }


Edits = dict[int, tuple[str, float]]


def disjoint_edits(region: RegionState, rng: np.random.Generator, case: int) -> tuple[Edits, Edits]:
    """Two edit sets on disjoint notes; half the cases edit neighbouring notes."""
    n = len(region.notes)
    k = int(rng.integers(2, 7))
    if case % 2 == 0:  # neighbours: a run of consecutive notes, alternating sides
        first = int(rng.integers(0, max(1, n - 2 * k)))
        chosen = list(range(first, min(n, first + 2 * k)))
        a_idx, b_idx = chosen[0::2], chosen[1::2]
    else:  # scattered
        chosen = rng.choice(n, size=min(n, 2 * k), replace=False).tolist()
        a_idx, b_idx = chosen[:k], chosen[k:]
    kinds = ("velocity", "pitch", "delete", "nudge")
    a = {int(i): (kinds[int(rng.integers(4))], 0.0) for i in a_idx}
    b = {int(i): (kinds[int(rng.integers(4))], 0.0) for i in b_idx}
    # Each side adds one note where an editor would: inside the region, near the notes it
    # edits (its own part of the bar), not both at the end. Onsets on a 1/96 grid off the
    # 1/24 grid of the existing notes, so an addition never lands on an existing note.
    starts = region.notes.start_beat
    for side, idx in ((a, a_idx), (b, b_idx)):
        near = float(starts[int(idx[0])]) if len(idx) else float(rng.uniform(0, starts.max()))
        side[-1] = ("add", round(near * 24) / 24 + 1 / 96 + (1 / 48 if side is b else 0.0))
    return a, b


def apply_edits(region: RegionState, sides: Sequence[tuple[int, Edits]]) -> RegionState:
    """The region with the edits of the given sides, as an editor would save it.

    Every note field is kept (channel included); an added note goes in at its
    onset (side 0 adds pitch 40, side 1 pitch 41), and the notes are saved in
    time order, as a DAW or a MIDI export writes them.
    """
    n = region.notes
    pitch = n.pitch.astype(int).copy()
    velocity = n.velocity.astype(int).copy()
    start = n.start_beat.copy()
    duration = n.duration_beats.copy()
    channel = n.channel.astype(int).copy()
    keep = np.ones(len(n), dtype=bool)
    extra = []
    for side, edits in sides:
        for i, (kind, value) in edits.items():
            if kind == "add":
                ch = int(channel[0]) if len(channel) else 0
                extra.append(NoteArray([40 + side], [64], [value], [0.5], [ch]))
            elif kind == "velocity":
                velocity[i] = velocity[i] % 126 + 1
            elif kind == "pitch":
                pitch[i] = pitch[i] + 1 if pitch[i] < 127 else pitch[i] - 1
            elif kind == "delete":
                keep[i] = False
            else:
                start[i] = start[i] + 1 / 48
    kept = NoteArray(pitch[keep], velocity[keep], start[keep], duration[keep], channel[keep])
    notes = NoteArray.concat([kept, *extra])
    order = np.lexsort((notes.pitch, notes.start_beat))
    ordered = NoteArray(
        notes.pitch[order], notes.velocity[order], notes.start_beat[order],
        notes.duration_beats[order], notes.channel[order],
    )  # fmt: skip
    return region.with_events(notes=ordered)


# ------------------------------------------------------------------- output
def render(res: Results) -> str:
    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}" if x < 100 else f"{x:.0f}"

    def ratio(git: float | None, muse: float | None) -> str:
        if git is None or muse is None or muse == 0:
            return "n/a"
        return f"{git / muse:.2f}x"

    header = ("measure", "unit", "muse", "muse (session)", "git", "git (alt)",
              "git/muse", "git/muse (session)", "notes")  # fmt: skip
    rows = [
        (r.name, r.unit, fmt(r.muse), fmt(r.muse_session), fmt(r.git), fmt(r.git_extra),
         ratio(r.git, r.muse), ratio(r.git, r.muse_session), r.note)
        for r in res.rows
    ]  # fmt: skip
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    m = res.merge
    out.append("")
    out.append("merge suite (disjoint concurrent edits of one region)")
    out.append("-" * 54)
    out.append(f"cases                          {m['cases']:.0f}")
    out.append(f"muse: cases with conflicts     {m['muse_cases_with_conflicts']:.0f}  (goal: 0)")
    out.append(f"muse: merged notes == expected {m['muse_correct']:.0f} / {m['cases']:.0f}")
    out.append(f"git:  cases with conflicts     {m['git_cases_with_conflicts']:.0f}")
    out.append(f"git:  conflict hunks           {m['git_conflict_hunks']:.0f}")
    out.append("")
    out.append("ratios > 1 mean Muse is faster (smaller for storage); 'muse' attaches the file")
    out.append("for each operation and releases it (the default), 'muse (session)' holds it.")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny workload for a smoke test")
    parser.add_argument("--no-git", action="store_true", help="skip the git peer")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args(argv)
    cfg = Config()
    if args.quick:
        cfg = Config(tracks=4, bars=16, commits=40, log_commits=120, merge_cases=6, samples=5)
    use_git = not args.no_git and shutil.which("git") is not None
    if not use_git:
        print("git not found (or --no-git): git columns are n/a", file=sys.stderr)

    def log(msg: str) -> None:
        print(f"# {msg}", file=sys.stderr, flush=True)

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        res = bench(cfg, args.keep, use_git, log)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_muse_") as tmp:
            res = bench(cfg, Path(tmp), use_git, log)
    print(render(res))
    if args.json:
        args.json.write_text(
            json.dumps({"rows": [r.__dict__ for r in res.rows], "merge": res.merge}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
