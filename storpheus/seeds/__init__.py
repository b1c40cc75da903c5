"""The seed library: primer phrases per style and role, shipped as MIDI plus metadata.

The embedded renderers borrow motifs from it; the Orpheus backend sends a
phrase as ``input_midi``. :func:`select_seed` picks a phrase for a style,
role and key; :func:`load_index` lists them all. The files are built by
``python -m storpheus.backends.embedded.build_seeds`` (the embedded backend
renders them; this package only reads them, so it imports no backend).

Example
-------
>>> import numpy as np
>>> from storpheus.seeds import select_seed
>>> seed = select_seed("lo-fi hip hop", "drums", "E minor", np.random.default_rng(1))
>>> seed.info.style, seed.transpose
('lofi', 0)
"""

from storpheus.errors import SeedNotFoundError
from storpheus.seeds.library import DATA_DIR, SeedInfo, load_index, seed_notes
from storpheus.seeds.select import ROLE_FALLBACKS, SelectedSeed, select_seed

__all__ = [
    "DATA_DIR",
    "ROLE_FALLBACKS",
    "SeedInfo",
    "SeedNotFoundError",
    "SelectedSeed",
    "load_index",
    "seed_notes",
    "select_seed",
]
