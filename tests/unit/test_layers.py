"""The folders tell the story: imports run one way, and shared facts are defined once.

Layers, ground up: settings/ and reference/ (facts) -> contract/ -> features/, interop/,
synthetic_data/ (the generator never reads the model's feature code, and the features
never read the generator's world) -> training/ -> serving/ (which also answers X12 and
FHIR through interop/) -> denialrisk/ (the CLI).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("settings", "reference", "contract", "features", "interop", "synthetic_data",
        "training", "serving", "denialrisk")
ALLOWED: dict[str, set[str]] = {
    "settings": set(),
    "reference": set(),
    "contract": {"reference"},
    "features": {"reference", "contract"},
    "interop": {"reference", "contract"},
    "synthetic_data": {"reference", "contract"},
    "training": {"reference", "contract", "features", "settings"},
    "serving": {"reference", "contract", "features", "interop", "training", "settings"},
    "denialrisk": set(OURS),
}


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    """Our top-level packages a module imports (module level and inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(OURS)


@pytest.mark.parametrize("package", OURS)
def test_imports_run_down_the_floors_only(package):
    bad = {str(p.relative_to(ROOT)): sorted(imported_packages(p) - ALLOWED[package]
                                            - {package})
           for p in package_files(package)}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"{package}/ may import only {sorted(ALLOWED[package])}: {bad}"


def source_outside_reference() -> dict[str, str]:
    """Every module's text outside reference/ (tests excluded: they may spell facts out)."""
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for package in OURS if package != "reference" for p in package_files(package)}


@pytest.mark.parametrize("what, pattern", [
    ("payer ids", r'"MCR",\s*"MCA",\s*"MCD"'),
    ("reason categories", r'"modifier",\s*"bundling",\s*"global_period"'),
    ("phototherapy codes", r'"96900",\s*"96910",\s*"96912"'),
    ("a lesion-family list", r'(?<![A-Z_])LESION_FAMILIES\s*[:=]'),
    ("a phototherapy-code list", r'PHOTOTHERAPY_CODES\s*[:=]'),
    ("a category -> CARC map", r'"diagnosis_mismatch":\s*"CO-11"'),
])
def test_shared_facts_are_defined_once_in_reference(what, pattern):
    hits = [name for name, text in source_outside_reference().items()
            if re.search(pattern, text)]
    assert not hits, f"{what} defined outside reference/: {hits}"
