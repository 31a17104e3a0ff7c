"""Where the notebooks get claims: a data set folder, or freshly generated ones.

Lives on the top floor because it joins the generator (synthetic_data/) and the data set
files training reads (contract/): neither may import the other's side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contract.frames import ClaimFrames


def load_or_generate(data: str | Path | None, config: Any, save_to: Path | None = None
                     ) -> ClaimFrames:
    """A data set folder's frames, or freshly generated ones (saved to `save_to` if given)."""
    from contract.dataset import write_dataset
    from synthetic_data.generate import generate_frames
    from training.data import load_frames

    if data:
        return load_frames(Path(data))
    frames = generate_frames(config)
    if save_to is not None:
        write_dataset(frames, Path(save_to))
    return frames
