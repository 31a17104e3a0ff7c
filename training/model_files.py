"""Check a LightGBM text model file's structure before LightGBM parses it.

LightGBM splits the trees of a text model by the byte sizes in its `tree_sizes=` header
and parses them in an OpenMP loop; a truncated or partly overwritten file makes that loop
throw, which aborts the whole process (std::terminate, or a segfault) instead of raising.
A half-copied model in the store would then kill the server without a word. This check
reads the file once and raises BundleError naming it when the header, the declared tree
sizes, the `end of trees` marker or the trailing parameters do not add up. The readers
at the bottom load a bundle's files, naming the file in every error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import lightgbm as lgb
from pydantic import BaseModel, ValidationError


class BundleError(RuntimeError):
    """A bundle file is missing or unreadable; the message names the file."""


TREES_END = b"end of trees"
PARAMS_END = b"end of parameters"
PANDAS_CATEGORICAL = b"pandas_categorical:"
# A tree block: its "Tree=<i>" line, then key=value lines of numbers, then blank lines.
TREE_BLOCK = re.compile(rb"Tree=\d+\n(?:[a-z_]+=[-+0-9.eEnaifNAIF ]*\n)+\n*")


def corrupted(path: Path, why: str) -> BundleError:
    """The error for a model file that would not load cleanly."""
    return BundleError(f"model bundle file corrupted: {path} ({why})")


def declared_tree_sizes(head: bytes, path: Path) -> list[int]:
    """Byte sizes listed in the `tree_sizes=` header line (empty when absent)."""
    for line in head.split(b"\n"):
        if line.startswith(b"tree_sizes="):
            try:
                return [int(x) for x in line[len(b"tree_sizes="):].split()]
            except ValueError as exc:
                raise corrupted(path, "unreadable tree_sizes header") from exc
    return []


def check_trees(data: bytes, start: int, sizes: list[int], path: Path) -> int:
    """Every declared tree where the header says it is; returns the offset after them."""
    pos = start
    for i, size in enumerate(sizes):
        if size <= 0 or not data.startswith(f"Tree={i}\n".encode(), pos):
            raise corrupted(path, f"tree {i} of {len(sizes)} not where the header puts it")
        if pos + size > len(data):
            raise corrupted(path, f"truncated in tree {i} of {len(sizes)}")
        if TREE_BLOCK.fullmatch(data, pos, pos + size) is None:
            raise corrupted(path, f"tree {i} of {len(sizes)} is not numeric key=value lines")
        pos += size
    return pos


def check_booster_file(path: Path) -> None:
    """Raise BundleError naming `path` unless it is a structurally complete text model."""
    path = Path(path)
    if not path.is_file():
        raise BundleError(f"model bundle file missing: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise corrupted(path, exc.strerror or type(exc).__name__) from exc
    if not data.startswith(b"tree\n"):
        raise corrupted(path, "not a LightGBM text model")
    first = data.find(b"\nTree=0\n")
    if first < 0:
        raise corrupted(path, "no trees")
    sizes = declared_tree_sizes(data[:first], path)
    end = check_trees(data, first + 1, sizes, path) if sizes else data.find(TREES_END)
    if end < 0 or not data.startswith(TREES_END, end):
        raise corrupted(path, f"no '{TREES_END.decode()}' after the trees")
    params_end = data.find(PARAMS_END, end)
    if params_end < 0 or not data.endswith(b"\n"):
        raise corrupted(path, "truncated after the trees")
    check_tail(data[params_end + len(PARAMS_END):], path)


def check_tail(tail: bytes, path: Path) -> None:
    """The pandas_categorical line after the parameters, when present, must be JSON."""
    for line in tail.split(b"\n"):
        if line.startswith(PANDAS_CATEGORICAL):
            try:
                json.loads(line[len(PANDAS_CATEGORICAL):])
            except ValueError as exc:
                raise corrupted(path, "unreadable pandas_categorical line") from exc


def read_json_model(path: Path, model: type[BaseModel]) -> Any:
    """Parse a JSON file into a pydantic model; BundleError naming the file on failure."""
    try:
        return model.model_validate_json(path.read_text())
    except FileNotFoundError as exc:
        raise BundleError(f"model bundle file missing: {path}") from exc
    except (OSError, ValueError, ValidationError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise BundleError(f"model bundle file corrupted: {path} ({first})") from exc


def read_booster(path: Path) -> lgb.Booster:
    """Load a LightGBM text model; BundleError naming the file when missing or corrupted
    (its structure is checked first: LightGBM aborts the process on a truncated file)."""
    if not path.is_file():
        raise BundleError(f"model bundle file missing: {path}")
    check_booster_file(path)
    try:
        return lgb.Booster(model_file=str(path))
    except (lgb.basic.LightGBMError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BundleError(f"model bundle file corrupted: {path} ({first})") from exc
