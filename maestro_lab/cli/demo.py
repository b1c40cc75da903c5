"""``maestro-lab demo``: run the main job and report what it made."""

from __future__ import annotations

import argparse

from maestro_lab.cli.common import add_json_flag, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    parser = sub.add_parser(
        "demo",
        help="run the main job: build a score, write and re-read its MIDI, plot it",
        description="Run the demo pipeline and write its MIDI file and piano roll to --out.",
    )
    parser.add_argument("--out", default="demo-output", help="output folder (default: %(default)s)")
    parser.add_argument("--no-plot", action="store_true", help="skip the piano-roll PNG")
    add_json_flag(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from maestro_lab.demo import run_demo

    result = run_demo(args.out, plot=not args.no_plot)
    if args.json:
        print_json(
            {
                "midiPath": str(result.midi_path),
                "pianorollPath": str(result.pianoroll_path) if result.pianoroll_path else None,
                "scoreId": result.score_id,
                "readBackId": result.read_back_id,
                "roundTripExact": result.round_trip_exact,
                "tracks": result.n_tracks,
                "notes": result.n_notes,
            }
        )
    else:
        print(f"wrote {result.midi_path} ({result.n_tracks} tracks, {result.n_notes} notes)")
        if result.pianoroll_path:
            print(f"piano roll: {result.pianoroll_path}")
        print(f"content id: {result.score_id}")
        print("round trip: " + ("exact" if result.round_trip_exact else "MISMATCH"))
    return 0 if result.round_trip_exact else 1
