"""The generator is a world, not a mirror: synthetic_data/ may import only numpy, pandas,
pyarrow, pydantic, the standard library, the ground floors reference/ and contract/, and
itself, never the model's feature code or anything above it (issue 14 §1-§2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_THIRD_PARTY = {"numpy", "pandas", "pyarrow", "pydantic"}
OURS_ALLOWED = {"reference", "contract", "synthetic_data"}
FORBIDDEN = {"features", "interop", "training", "serving", "denialrisk", "settings"}


def imported_roots(path: Path) -> set[str]:
    """Top-level package of every import statement of a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_synthetic_data_imports_only_its_floors():
    # Any import of features/, interop/, training/, serving/, denialrisk/ or settings/ (or
    # a third-party package outside the allowed four) fails, naming the file.
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    bad = []
    for path in sorted((ROOT / "synthetic_data").rglob("*.py")):
        for root in imported_roots(path):
            if root in FORBIDDEN or root not in stdlib | ALLOWED_THIRD_PARTY | OURS_ALLOWED:
                bad.append(f"{path.relative_to(ROOT)}: {root}")
    assert not bad, bad


def test_the_scan_catches_a_forbidden_import(tmp_path):
    # The scan itself can fail: a module importing features is reported.
    module = tmp_path / "m.py"
    module.write_text("from features.billing_rules import line_rule_flags\nimport numpy\n")
    assert "features" in imported_roots(module)
