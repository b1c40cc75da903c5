"""``maestro-lab gallery``: one excerpt per style as MIDI and a piano roll."""

from __future__ import annotations

import argparse
import sys

from maestro_lab.cli.common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gallery`` subcommand."""
    parser = sub.add_parser(
        "gallery",
        help="render one excerpt per style to MIDI and piano-roll PNG",
        description=(
            "Render, for every style of the embedded backend (or the ones given), a multi-role "
            "excerpt (the style's band over its default chord progression) to <style>.mid and "
            "<style>.png in --out, so a person can look and listen."
        ),
    )
    parser.add_argument("--out", default="gallery", help="output folder (default: %(default)s)")
    parser.add_argument(
        "--styles",
        nargs="+",
        metavar="STYLE",
        help="styles or aliases to render (default: all); unknown names use the default style",
    )
    parser.add_argument("--bars", type=int, default=8, help="bars per excerpt (default: 8)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    parser.add_argument("--no-plot", action="store_true", help="skip the piano-roll PNGs")
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from maestro_lab.gallery import render_gallery, style_names
    from storpheus.errors import InvalidRequestError

    if not 1 <= args.bars <= 64:
        print(f"maestro-lab gallery: --bars={args.bars} must be 1-64", file=sys.stderr)
        return 2
    if args.seed < 0:
        print(f"maestro-lab gallery: --seed={args.seed} must be >= 0", file=sys.stderr)
        return 2
    styles = args.styles or list(style_names())
    entries = []
    try:
        for style in tqdm(styles, desc="gallery", unit="style", disable=args.json, file=sys.stderr):
            entries += render_gallery(
                args.out, styles=[style], bars=args.bars, seed=args.seed, plot=not args.no_plot
            )
    except InvalidRequestError as exc:
        print(f"maestro-lab gallery: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json(
            [
                {
                    "style": e.style,
                    "label": e.label,
                    "key": e.key,
                    "bpm": e.bpm,
                    "roles": list(e.roles),
                    "midiPath": str(e.midi_path),
                    "pianorollPath": str(e.pianoroll_path) if e.pianoroll_path else None,
                    "scoreId": e.score_id,
                    "notes": e.n_notes,
                }
                for e in entries
            ]
        )
    else:
        for e in entries:
            made = f"{e.midi_path}" + (f" + {e.pianoroll_path.name}" if e.pianoroll_path else "")
            print(f"{e.label:<22} {e.key:<10} {e.bpm:>3} BPM  {'/'.join(e.roles):<34} {made}")
    return 0
