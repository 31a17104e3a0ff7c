"""Shared fixtures: CMS tables from ../shared, contract examples, a claim builder."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reference.cms import CmsTables, load_cms_tables
from settings import get_settings
from tests.builders import make_claim_dict


def pytest_configure(config: pytest.Config) -> None:
    """Tests never touch the network: BentoML would post usage statistics otherwise."""
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "True")


@pytest.fixture(scope="session")
def cms() -> CmsTables:
    return load_cms_tables(get_settings().cms_dir)


@pytest.fixture(scope="session")
def contract_examples() -> dict[str, dict[str, Any]]:
    folder = get_settings().contract_dir / "examples"
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@pytest.fixture
def make_claim() -> Callable[..., dict[str, Any]]:
    """Build a valid claim dict (see tests/builders.py), then override top-level keys."""
    return make_claim_dict


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
