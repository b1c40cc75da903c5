"""Build the shipped seed library: the embedded backend renders every phrase.

Run ``python -m storpheus.backends.embedded.build_seeds [--out DIR]``. For
every style of the embedded backend the script renders four-bar primer
phrases with :class:`~storpheus.backends.embedded.EmbeddedBackend` (seed
motifs off, so the library never depends on itself): two drum grooves, and
bass, chords, melody, lead and arp phrases in two keys a tritone apart (the
style's default key and the key six semitones away, so any requested key is
at most three semitones from a seed). All parts of one style share the
style's default spec. Each phrase is written as a one-track MIDI file and
recorded in ``index.json`` with its content id and provenance. Seeds are
derived with :func:`storpheus.seeding.derive_seed`, so re-running the
script reproduces the same files byte for byte.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from storpheus.backends.base import GenerationRequest
from storpheus.backends.embedded import EmbeddedBackend, default_spec, get_style, style_names
from storpheus.backends.embedded.harmony import NOTE_NAMES, Key, parse_key
from storpheus.identity import content_id
from storpheus.io import read_midi, write_midi
from storpheus.notes import NoteArray
from storpheus.score import Score, Track
from storpheus.seeding import derive_seed
from storpheus.seeds.library import DATA_DIR, INDEX_NAME, SeedInfo

BASE_SEED = 20240601
"""Base of every seed the build derives."""

BARS = 4
PITCHED_ROLES = ("bass", "chords", "melody", "lead", "arp")
DRUM_VARIANTS = 2


def _slug(key: Key) -> str:
    return f"{NOTE_NAMES[key.tonic].lower().replace('#', 's')}-{key.mode}"


def _phrase(
    backend: EmbeddedBackend, style: str, role: str, key: Key, variant: int
) -> tuple[Track, int]:
    profile = get_style(style)
    spec = default_spec(style, key.name, bars=BARS, section_name="seed")
    seed = derive_seed(BASE_SEED, style, role, key.name, variant)
    request = GenerationRequest(
        role=role,
        bars=BARS,
        seed=seed,
        style=style,
        bpm=profile.default_tempo,
        key=key.name,
        spec=spec,
    )
    candidate = backend.generate(request).candidates[0]
    program = candidate.metadata.get("program", 0)
    track = Track(
        name=f"{style} {role}",
        notes=candidate.notes,
        program=int(program) if isinstance(program, int) else 0,
        is_drum=role == "drums",
        role=role,
    )
    return track, candidate.seed


def build_library(out_dir: Path = DATA_DIR, styles: Sequence[str] | None = None) -> list[SeedInfo]:
    """Render the library into ``out_dir`` (MIDI files plus ``index.json``)."""
    backend = EmbeddedBackend(use_seed_motifs=False)
    infos: list[SeedInfo] = []
    for style in styles or style_names():
        profile = get_style(style)
        home = parse_key(profile.default_key)
        away_tonic = (home.tonic + 6) % 12
        away = Key(away_tonic, home.mode, spelling=NOTE_NAMES[away_tonic])
        jobs: list[tuple[str, Key | None, int]] = [("drums", None, v) for v in range(DRUM_VARIANTS)]
        jobs += [(role, key, 0) for role in PITCHED_ROLES for key in (home, away)]
        for role, key, variant in jobs:
            track, seed = _phrase(backend, style, role, key or home, variant)
            name = f"{role}-{variant + 1}" if key is None else f"{role}-{_slug(key)}"
            rel = f"{style}/{name}.mid"
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            score = Score(
                tracks=(track,),
                bpm=profile.default_tempo,
                key=None if key is None else key.name,
            )
            write_midi(score, path)
            stored = NoteArray.concat([t.notes for t in read_midi(path).tracks]).sort()
            infos.append(
                SeedInfo(
                    seed_id=f"{style}/{name}",
                    style=style,
                    role=role,
                    key=None if key is None else key.name,
                    bars=BARS,
                    bpm=profile.default_tempo,
                    content_id=content_id(stored),
                    file=rel,
                    provenance=(
                        ("generator", backend.backend_id),
                        ("script", "storpheus/backends/embedded/build_seeds.py"),
                        ("seed", str(seed)),
                    ),
                )
            )
    index = {"version": 1, "seeds": [info.to_dict() for info in infos]}
    (out_dir / INDEX_NAME).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return infos


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument("--styles", nargs="*", help="only these styles")
    args = parser.parse_args(argv)
    infos = build_library(args.out, args.styles)
    print(f"wrote {len(infos)} seeds to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
