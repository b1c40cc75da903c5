"""Plots for people: piano rolls and score plots (matplotlib, loaded lazily)."""
