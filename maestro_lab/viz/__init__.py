"""Plots for people, as matplotlib figures that Jupyter shows inline (matplotlib loads lazily).

- :mod:`maestro_lab.viz.pianoroll`: piano rolls coloured by role, a drum lane
  labelled with General MIDI drum names, section bands, candidate and diff
  overlays;
- :mod:`maestro_lab.viz.scores`: score distributions, acceptance against the
  number of candidates, dimension correlations;
- :mod:`maestro_lab.viz.history`: the commit DAG;
- :mod:`maestro_lab.viz.figures`: figures shown as PNG pictures in notebooks.
"""
