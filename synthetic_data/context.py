"""The per-chunk context every builder receives: the random generator and the config."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic_data.config import GeneratorConfig


@dataclass
class Ctx:
    """Random source and configuration of one chunk (builders draw only from `rng`)."""

    rng: np.random.Generator
    config: GeneratorConfig

    def chance(self, p: float | np.ndarray, n: int) -> np.ndarray:
        """n Bernoulli draws with probability p (scalar or per-row array)."""
        return self.rng.random(n) < p

    def error(self, name: str, n: int) -> np.ndarray:
        """n draws of the named coder/front-desk error at its scaled rate."""
        return self.rng.random(n) < self.config.error_rate(name)
