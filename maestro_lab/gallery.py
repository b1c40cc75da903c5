"""The style gallery: one multi-role excerpt per style, as MIDI and a piano roll.

For every style of the style table, :func:`render_gallery` renders an
excerpt with the style's default roles (drums, bass, harmony, melody... as
the style profile lists them) with the embedded backend from one shared
spec (:func:`default_spec`), so all
parts follow the same chord schedule; the bass is locked to the drums'
kicks where the style does that. Each excerpt is written as
``<style>.mid`` and, unless ``plot=False``, ``<style>.png``.

Example
-------
>>> from maestro_lab.gallery import render_gallery      # doctest: +SKIP
>>> entries = render_gallery("gallery", styles=["house"])  # doctest: +SKIP
>>> entries[0].midi_path.name                            # doctest: +SKIP
'house.mid'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storpheus.backends.base import GenerationRequest, MusicGeneratorBackend
from storpheus.backends.embedded import EmbeddedBackend, default_spec
from storpheus.identity import content_id
from storpheus.io import write_midi
from storpheus.score import Score, TimeSignature, Track
from storpheus.seeding import derive_seed
from storpheus.styles import get_style, resolve_style
from storpheus.styles import style_names as table_style_names

_KICKS = (35, 36)


@dataclass(frozen=True)
class GalleryEntry:
    """One rendered excerpt of the gallery."""

    style: str
    label: str
    key: str
    bpm: int
    roles: tuple[str, ...]
    midi_path: Path
    pianoroll_path: Path | None
    score_id: str
    n_notes: int


def style_names() -> tuple[str, ...]:
    """The styles the gallery renders: every style of the style table, by id."""
    return table_style_names()


def gallery_score(
    style: str,
    *,
    bars: int = 8,
    seed: int = 0,
    roles: Sequence[str] | None = None,
    backend: MusicGeneratorBackend | None = None,
) -> Score:
    """The gallery excerpt of ``style``: its default roles over one shared spec.

    Parameters
    ----------
    style:
        Style id, name or alias (resolved with :func:`storpheus.styles.resolve_style`).
    bars:
        Length of the excerpt.
    seed:
        Base seed; each role's seed is derived from it, the style and the role.
    roles:
        Roles to render (default: the style's default roles).
    backend:
        The generator (default: :class:`~storpheus.backends.embedded.EmbeddedBackend`).
    """
    profile = resolve_style(style).profile
    spec = default_spec(profile.id, bars=bars, section_name=f"{profile.id} gallery")
    backend = backend or EmbeddedBackend()
    band = tuple(roles) if roles else profile.default_roles
    order = sorted(band, key=lambda r: (r != "drums", band.index(r)))
    parts: dict[str, Track] = {}
    kicks: tuple[float, ...] | None = None
    for role in order:
        request = GenerationRequest(
            role=role,
            bars=bars,
            seed=derive_seed(seed, "gallery", profile.id, role),
            style=profile.id,
            bpm=spec.global_spec.bpm,
            key=spec.global_spec.key,
            section_name="verse",
            spec=spec,
            drum_kick_beats=kicks if role == "bass" else None,
        )
        result = backend.generate(request)
        candidate = result.candidates[0]
        if role == "drums":
            notes = candidate.notes
            is_kick = np.isin(notes.pitch, _KICKS)
            kicks = tuple(float(b) for b in notes.start_beat[is_kick])
        program = candidate.metadata.get("program", 0)
        parts[role] = Track(
            name=role.capitalize(),
            notes=candidate.notes,
            program=int(program) if isinstance(program, int) else 0,
            is_drum=role == "drums",
            role=role,
            cc=candidate.cc,
        )
    return Score(
        tracks=tuple(parts[r] for r in band),
        bpm=spec.global_spec.bpm,
        time_signature=TimeSignature(spec.global_spec.time_sig_num, spec.global_spec.time_sig_den),
        key=spec.global_spec.key,
    )


def render_gallery(
    out_dir: str | Path,
    *,
    styles: Sequence[str] | None = None,
    bars: int = 8,
    seed: int = 0,
    plot: bool = True,
    backend: MusicGeneratorBackend | None = None,
) -> list[GalleryEntry]:
    """Render every style's excerpt (or ``styles``) to ``out_dir`` as MIDI and PNG."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [resolve_style(s).profile.id for s in styles] if styles else list(style_names())
    entries = []
    for name in dict.fromkeys(names):
        profile = get_style(name)
        score = gallery_score(name, bars=bars, seed=seed, backend=backend)
        midi_path = write_midi(score, out / f"{name}.mid")
        png = None
        if plot:
            from maestro_lab.viz.pianoroll import save_pianoroll

            title = f"{profile.name} · {score.key} · {score.bpm} BPM · seed {seed}"
            png = save_pianoroll(score, out / f"{name}.png", title=title)
        entries.append(
            GalleryEntry(
                style=name,
                label=profile.name,
                key=score.key or "",
                bpm=score.bpm,
                roles=tuple(t.role or t.name for t in score.tracks),
                midi_path=midi_path,
                pianoroll_path=png,
                score_id=content_id(score),
                n_notes=score.n_notes,
            )
        )
    return entries


__all__ = ["GalleryEntry", "gallery_score", "render_gallery", "style_names"]
