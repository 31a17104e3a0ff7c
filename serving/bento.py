"""Where the service finds its models and CMS tables when it runs from a Bento.

`denialrisk bento` (denialrisk/commands/bento.py) builds the Bento: bento.yaml lists the
champion models, and the CMS extracts sit in the Bento's src/cms folder. Served from a
Bento (`bentoml serve denialrisk:<version>`, or a container from `bentoml containerize`),
the service loads exactly the models the Bento lists: from the Bento's own models/ folder
when it has one (containers, exported Bentos), else from the BentoML store the Bento was
built in (BENTOML_HOME); and the CMS tables from src/cms unless DENIALRISK_CMS_DIR is set.
Outside a Bento (`denialrisk serve`) nothing changes: the newest champion of every payer
in Settings.bentoml_home, the tables in Settings.cms_dir.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from settings import Settings

BENTO_CMS_DIR = "cms"  # inside the Bento's build context, so <bento>/src/cms
MODEL_PREFIX = "denialrisk-"


@dataclass(frozen=True)
class ServedStores:
    """What the service loads: model store home, the model tags (None: newest of each
    name), the CMS tables folder."""

    home: Path
    tags: list[str] | None
    cms_dir: Path


def bento_models_home(bento_path: Path) -> Path | None:
    """The Bento itself when it carries its models (models/denialrisk-*), else None."""
    return bento_path if any((bento_path / "models").glob(f"{MODEL_PREFIX}*")) else None


def served_stores(bento: Any, settings: Settings) -> ServedStores:
    """The stores of a service loaded from `bento` (None: not from a Bento)."""
    if bento is None:
        return ServedStores(settings.bentoml_home, None, settings.cms_dir)
    path = Path(bento.path)
    tags = [str(m.tag) for m in bento.info.all_models if m.tag.name.startswith(MODEL_PREFIX)]
    cms_dir = (settings.cms_dir if "cms_dir" in settings.model_fields_set
               else path / "src" / BENTO_CMS_DIR)
    return ServedStores(bento_models_home(path) or settings.bentoml_home, tags, cms_dir)
