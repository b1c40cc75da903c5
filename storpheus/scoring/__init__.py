"""Scoring: MusPy-compatible metrics, constraint-fit dimensions, scorers and score cards."""
