"""Post-processing steps, the recorded pipeline and expressiveness."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storpheus.backends.base import Candidate
from storpheus.errors import PostProcessError
from storpheus.events import ControlChangeArray, PitchBendArray
from storpheus.notes import NoteArray
from storpheus.postprocess import (
    DurationCleanup,
    ExpressivenessConfig,
    Part,
    Pipeline,
    Quantize,
    RegisterShift,
    Swing,
    TransposeToKey,
    TrimToBars,
    VelocityRescale,
    apply_expressiveness,
    apply_expressiveness_dicts,
    default_pipeline,
    pipeline_for,
    run_steps,
)
from storpheus.score import Track
from storpheus.scoring import ScoringParams

C_LINE = NoteArray([60, 62, 64, 65, 67, 69, 71, 72], 80, np.arange(8.0), 1.0)


def apply(step, notes):
    part, details = step.apply(Part(notes))
    return part.notes, details


# ------------------------------------------------------------------- steps
def test_transpose_to_key_moves_by_the_shortest_way_and_leaves_drums_alone():
    kit = NoteArray([36, 38], 100, [0.0, 1.0], 0.5, channel=9)
    notes = NoteArray.concat([C_LINE, kit])
    moved, details = apply(TransposeToKey("G major", "C major"), notes)
    assert details == {"semitones": -5, "source_key": "C major"}
    assert moved[moved.channel != 9].pitch.tolist() == [55, 57, 59, 60, 62, 64, 66, 67]
    assert sorted(moved[moved.channel == 9].pitch.tolist()) == [36, 38]
    up, details = apply(TransposeToKey("Eb major"), C_LINE)  # source estimated
    assert details["semitones"] == 3
    assert up.pitch.tolist() == (C_LINE.pitch + 3).tolist()


def test_transpose_folds_pitches_that_would_leave_the_midi_range():
    high = NoteArray([126, 127], 80, [0.0, 1.0], 1.0)
    moved, _ = apply(TransposeToKey("D major", "C major"), high)
    assert moved.pitch.tolist() == [116, 117]


def test_transpose_matches_parent_scales_when_the_modes_differ():
    a_minor = NoteArray([57, 60, 64, 69], 80, np.arange(4.0), 1.0)
    same, details = apply(TransposeToKey("C major", "A minor"), a_minor)
    assert details["semitones"] == 0
    assert same == a_minor
    dorian, details = apply(TransposeToKey("E dorian", "C major"), C_LINE)
    assert details["semitones"] == 2  # C major's scale is D dorian's; D -> E
    assert dorian.pitch.tolist()[0] == 62


def test_transpose_without_pitched_notes_is_skipped_and_says_why():
    kit = NoteArray([36], 100, 0.0, 0.5, channel=9)
    moved, details = apply(TransposeToKey("D major"), kit)
    assert moved == kit
    assert "no pitched notes" in details["skipped"]


def test_register_shift_moves_by_octaves_then_folds_outliers_in():
    notes = NoteArray([36, 40, 43, 60], 80, np.arange(4.0), 1.0)
    moved, details = apply(RegisterShift(60, 72), notes)
    assert details["octaves"] == 2
    assert moved.pitch.tolist() == [60, 64, 67, 72]
    assert details["folded"] == 1  # 84 folded back to 72
    narrow, _ = apply(RegisterShift(60, 64), NoteArray([50, 70], 80, [0.0, 1.0], 1.0))
    assert narrow.pitch.tolist() == [60, 64]
    loose, _ = apply(RegisterShift(60, 72, clamp=False), notes)
    assert loose.pitch.tolist() == [60, 64, 67, 84]
    assert RegisterShift.around(60, 12) == RegisterShift(48, 72)


def test_quantize_moves_onsets_to_the_grid_with_a_strength():
    notes = NoteArray([60, 62], 80, [0.1, 0.9], [0.3, 0.7])
    full, details = apply(Quantize(0.5), notes)
    assert full.start_beat.tolist() == [0.0, 1.0]
    assert details == {"moved": 2}
    half, _ = apply(Quantize(0.5, strength=0.5), notes)
    assert half.start_beat.tolist() == pytest.approx([0.05, 0.95])
    lengths, _ = apply(Quantize(0.5, durations=True), notes)
    assert lengths.duration_beats.tolist() == [0.5, 0.5]


def test_swing_delays_off_beats_and_keeps_their_offsets():
    eighths = NoteArray([60] * 4, 80, [0.0, 0.5, 1.0, 1.5], 0.5)
    swung, details = apply(Swing(2 / 3, 0.5), eighths)
    assert details == {"swung": 2}
    assert swung.start_beat.tolist() == pytest.approx([0.0, 2 / 3, 1.0, 1 + 2 / 3])
    assert swung.end_beat.tolist() == pytest.approx([0.5, 1.0, 1.5, 2.0])
    straight, _ = apply(Swing(0.5), eighths)
    assert straight == eighths


def test_duration_cleanup_clips_lengths_and_removes_same_pitch_overlaps():
    notes = NoteArray(
        [60, 60, 60, 64, 60],
        [80, 100, 90, 80, 80],
        [0.0, 0.0, 1.0, 0.5, 5.0],
        [0.01, 2.0, 1.0, 3.0, 10.0],
        channel=[0, 0, 0, 0, 1],
    )
    cleaned, details = apply(DurationCleanup(min_duration=0.125, max_duration=4.0), notes)
    assert details == {"clipped": 2, "truncated": 1, "dropped": 1}
    columns = (cleaned.channel, cleaned.pitch, cleaned.start_beat, cleaned.duration_beats)
    rows = sorted(zip(*(c.tolist() for c in columns), cleaned.velocity.tolist(), strict=True))
    assert rows == [
        (0, 60, 0.0, 1.0, 100),  # the louder of the two at beat 0, cut at the next onset
        (0, 60, 1.0, 1.0, 90),
        (0, 64, 0.5, 3.0, 80),
        (1, 60, 5.0, 4.0, 80),  # another channel: no overlap; clipped to 4 beats
    ]


def test_trim_to_bars_drops_late_events_and_cuts_ringing_notes():
    notes = NoteArray([60, 62, 64], 80, [0.0, 6.0, 9.0], [2.0, 4.0, 1.0])
    part = Part(
        notes,
        ControlChangeArray([64, 64], [127, 0], [0.0, 8.5]),
        PitchBendArray([100, 0], [7.0, 8.0]),
    )
    trimmed, details = TrimToBars(2).apply(part)
    assert details == {"dropped": 1, "cut": 1}
    assert trimmed.notes.end_beat.tolist() == [2.0, 8.0]
    assert trimmed.cc.beat.tolist() == [0.0]
    assert trimmed.bends.beat.tolist() == [7.0]


def test_velocity_rescale_maps_the_range_or_clamps():
    notes = NoteArray([60, 62, 64], [20, 60, 120], [0.0, 1.0, 2.0], 1.0)
    mapped, details = apply(VelocityRescale(60, 100), notes)
    assert mapped.velocity.tolist() == [60, 76, 100]
    assert details == {"changed": 3}
    clamped, _ = apply(VelocityRescale(60, 100, mode="clamp"), notes)
    assert clamped.velocity.tolist() == [60, 60, 100]
    flat, _ = apply(VelocityRescale(60, 100), NoteArray([60], 30, 0.0, 1.0))
    assert flat.velocity.tolist() == [60]


@pytest.mark.parametrize(
    "build",
    [
        lambda: TransposeToKey("H major"),
        lambda: TransposeToKey("C major", "C majestic"),
        lambda: RegisterShift(72, 60),
        lambda: Quantize(0.0),
        lambda: Quantize(0.25, strength=2.0),
        lambda: Swing(0.9),
        lambda: DurationCleanup(min_duration=0.0),
        lambda: DurationCleanup(min_duration=1.0, max_duration=0.5),
        lambda: TrimToBars(0),
        lambda: VelocityRescale(100, 60),
        lambda: VelocityRescale(0, 60),
        lambda: VelocityRescale(1, 60, mode="squash"),  # type: ignore[arg-type]
        lambda: ExpressivenessConfig(cc_step=0),
        lambda: ExpressivenessConfig(bend_probability=2.0),
    ],
)
def test_misconfigured_steps_raise_typed_errors(build):
    with pytest.raises(PostProcessError):
        build()


# ---------------------------------------------------------------- pipeline
def test_default_pipeline_runs_the_canonical_order_and_records_every_step():
    pipeline = default_pipeline(
        key="D major",
        register=(55, 79),
        grid=0.25,
        swing=0.6,
        bars=2,
        velocity=(60, 100),
    )
    assert pipeline.names == (
        "transpose_to_key",
        "register_shift",
        "quantize",
        "swing",
        "duration_cleanup",
        "trim_to_bars",
        "velocity_rescale",
    )
    result = pipeline.run(C_LINE)
    assert [r.step for r in result.records] == list(pipeline.names)
    assert result.records[0].details["semitones"] == 2
    assert result.records[-2].notes_out == len(result.notes)
    assert json.loads(json.dumps(result.metadata)) == result.metadata
    assert default_pipeline().names == ("duration_cleanup",)
    assert default_pipeline(min_duration=None).names == ()


def test_pipelines_keep_any_order_given():
    steps = (VelocityRescale(1, 50), TransposeToKey("E major", "C major"))
    result = run_steps(C_LINE, steps)
    assert [r.step for r in result.records] == ["velocity_rescale", "transpose_to_key"]
    with pytest.raises(PostProcessError, match="not a post-processing step"):
        Pipeline(("quantize",))  # type: ignore[arg-type]


def test_results_go_back_into_candidates_and_tracks_with_their_history():
    candidate = Candidate(3, 99, C_LINE, metadata={"postprocess": [{"step": "earlier"}], "x": 1})
    result = default_pipeline(bars=1).run(candidate)
    updated = result.to_candidate(candidate)
    assert updated.seed == 99
    assert updated.metadata["x"] == 1
    assert [s["step"] for s in updated.metadata["postprocess"]] == [
        "earlier",
        "duration_cleanup",
        "trim_to_bars",
    ]
    assert len(updated.notes) == 4
    track = Track("lead", C_LINE)
    assert len(default_pipeline(bars=1).run(track).to_track(track).notes) == 4
    with pytest.raises(PostProcessError):
        default_pipeline().run([1, 2, 3])  # type: ignore[arg-type]


def test_pipeline_for_scoring_params_uses_their_targets():
    params = ScoringParams(
        bars=2,
        target_key="A minor",
        expected_channels=1,
        register_center=48,
        register_spread=6,
        velocity_floor=70,
        velocity_ceiling=90,
    )
    pipeline = pipeline_for(params, grid=0.5)
    assert pipeline.names == (
        "register_shift",
        "quantize",
        "duration_cleanup",
        "trim_to_bars",
        "velocity_rescale",
    )
    out = pipeline.run(C_LINE).notes
    assert out.pitch.min() >= 42
    assert out.pitch.max() <= 54
    assert set(out.velocity.tolist()) <= set(range(70, 91))
    assert "transpose_to_key" in pipeline_for(params, transpose=True).names
    with pytest.raises(PostProcessError):
        pipeline_for({"bars": 2})


@st.composite
def parts(draw):
    n = draw(st.integers(0, 30))
    if n == 0:
        return NoteArray.empty()
    return NoteArray(
        draw(st.lists(st.integers(0, 127), min_size=n, max_size=n)),
        draw(st.lists(st.integers(1, 127), min_size=n, max_size=n)),
        np.array(draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))) / 16,
        np.array(draw(st.lists(st.integers(1, 80), min_size=n, max_size=n))) / 16,
        channel=draw(st.lists(st.sampled_from([0, 1, 9]), min_size=n, max_size=n)),
    )


@settings(max_examples=60)
@given(
    parts(),
    st.integers(30, 90),
    st.integers(12, 30),
    st.sampled_from([0.125, 0.25, 0.5]),
    st.integers(1, 6),
    st.integers(1, 80),
    st.integers(80, 127),
)
def test_the_pipeline_output_meets_every_target(notes, low, width, grid, bars, floor, ceiling):
    high = min(127, low + width)
    result = default_pipeline(
        register=(low, high), grid=grid, bars=bars, velocity=(floor, ceiling)
    ).run(notes)
    out = result.notes
    pitched = out[out.channel != 9] if len(out) else out
    if len(pitched):
        assert pitched.pitch.min() >= low
        assert pitched.pitch.max() <= high
    if len(out):
        assert out.end_beat.max() <= bars * 4.0 + 1e-9
        assert np.allclose(np.round(out.start_beat / grid) * grid, out.start_beat)
        assert out.velocity.min() >= floor
        assert out.velocity.max() <= ceiling
        order = np.lexsort((out.start_beat, out.pitch, out.channel))
        o = out[order]
        same = (o.channel[1:] == o.channel[:-1]) & (o.pitch[1:] == o.pitch[:-1])
        assert (o.end_beat[:-1][same] <= o.start_beat[1:][same] + 1e-9).all()


# ----------------------------------------------------------- expressiveness
def test_expressiveness_is_deterministic_for_a_seed_and_varies_across_seeds():
    a = apply_expressiveness(C_LINE, rng=np.random.default_rng(1), role="lead")
    b = apply_expressiveness(C_LINE, rng=np.random.default_rng(1), role="lead")
    c = apply_expressiveness(C_LINE, rng=np.random.default_rng(2), role="lead")
    assert a == b
    assert a.notes != c.notes


def test_expressiveness_humanises_velocity_and_timing_within_bounds():
    loud = NoteArray([60] * 16, 125, np.arange(16) * 0.5, 0.5)
    out = apply_expressiveness(loud, rng=np.random.default_rng(3))
    assert len(out.notes) == 16
    assert out.notes.velocity.max() <= 127
    assert out.notes.velocity.min() >= 1
    drift = np.abs(np.sort(out.notes.start_beat) - np.sort(loud.start_beat))
    assert drift.max() < 0.1
    assert (out.notes.start_beat != loud.start_beat).any()
    accents = apply_expressiveness(
        NoteArray([60] * 8, 80, np.arange(8) * 0.5, 0.5),
        rng=np.random.default_rng(0),
        config=ExpressivenessConfig(velocity_jitter=0.0, timing_jitter=0.0, accent=10.0),
    )
    assert accents.notes.velocity.tolist() == [90, 75, 85, 75, 85, 75, 85, 75]


def test_expressiveness_automation_follows_the_role():
    long_notes = NoteArray([60, 64, 67, 72], 90, [0.0, 2.0, 4.0, 6.0], 2.0)
    keys = apply_expressiveness(long_notes, rng=np.random.default_rng(5), role="keys")
    assert set(keys.cc.number.tolist()) == {11, 64}
    assert len(keys.bends) == 0
    pedal = keys.cc[keys.cc.number == 64]
    assert pedal.value.tolist() == [127, 0, 127, 0]
    lead = apply_expressiveness(
        long_notes,
        rng=np.random.default_rng(5),
        role="lead",
        config=ExpressivenessConfig(bend_probability=1.0),
    )
    assert set(lead.cc.number.tolist()) == {1, 11}
    assert len(lead.bends) == 4 * 5
    assert lead.bends.value.min() == -1200
    assert lead.bends.value.max() == 0
    kit = NoteArray([36, 38], 100, [0.0, 1.0], 1.0, channel=9)
    drums = apply_expressiveness(kit, rng=np.random.default_rng(5), role="drums")
    assert len(drums.cc) == 0
    assert len(drums.bends) == 0


def test_expressiveness_result_has_the_reference_shape():
    wire_notes = [
        {"pitch": 60, "velocity": 90, "startBeat": 0.0, "durationBeats": 1.0},
        {"pitch": 64, "velocity": 90, "startBeat": 1.0, "durationBeats": 2.0},
    ]
    result = apply_expressiveness_dicts(wire_notes, rng=np.random.default_rng(0), role="keys")
    assert set(result) == {"notes", "cc_events", "pitch_bends"}
    assert set(result["notes"][0]) == {"pitch", "velocity", "channel", "startBeat", "durationBeats"}
    assert set(result["cc_events"][0]) == {"cc", "beat", "value"}
    snake = [{"pitch": 60, "velocity": 90, "start_beat": 0.0, "duration_beats": 1.0}]
    back = apply_expressiveness_dicts(snake, rng=np.random.default_rng(0))
    assert "start_beat" in back["notes"][0]
    assert json.loads(json.dumps(result)) == result


def test_expressiveness_refuses_a_missing_generator():
    with pytest.raises(PostProcessError, match="Generator"):
        apply_expressiveness(C_LINE, rng=42)  # type: ignore[arg-type]
