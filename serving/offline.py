"""`denialrisk score`: score a claims file through the service's own scoring path, no HTTP.

Input: a JSON-lines file (one contract claim per line), a data set folder
(claims.parquet + lines.parquet, contract.dataset) or an X12 837P file (interop.x12).
(A .parquet output takes the columnar bulk path instead: serving/bulk.py.)
Each claim is validated with the same pydantic Claim the API uses and scored by
serving.scoring.Predictor in chunks; an invalid claim becomes an error record (field
paths and messages, never its values) in its place.

Crash safety: every finished chunk is written atomically (temp file + rename) into
`<output>.parts/` next to a manifest of the input (size, mtime), the models and the
options. A rerun with the same manifest skips finished chunks; any change starts over.
The output itself appears only at the end, by renaming a complete temp file, so a partial
results file never looks finished. A failed write (disk full, unwritable folder) removes
its temp file and raises OfflineOutputError naming the path; finished parts stay.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contract.schema import Claim
from serving.errors import plain_detail
from serving.scoring import Options, Predictor

MANIFEST = "manifest.json"


class OfflineInputError(ValueError):
    """The input is missing or in an unknown format; the message names it."""


class OfflineOutputError(RuntimeError):
    """The results (or their parts folder) cannot be written; the message names the path."""


def output_error(path: Path, exc: OSError) -> OfflineOutputError:
    """The error for a failed write of `path` (disk full, no permission, not a folder)."""
    return OfflineOutputError(f"cannot write results to {path}: {exc.strerror or exc}")


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did (printed by the CLI)."""

    output: Path
    claims: int
    errors: int
    chunks: int
    resumed_chunks: int
    seconds: float


def is_x12(path: Path) -> bool:
    """True for an X12 interchange (starts with an ISA segment)."""
    with path.open("rb") as fh:
        return fh.read(64).lstrip().startswith(b"ISA")


def x12_records(path: Path) -> Iterator[dict[str, Any]]:
    """Contract claims of an 837P file; unreadable claims become error records."""
    from interop.x12.claims837 import read_837p_file

    for result in read_837p_file(path):
        if result.ok and result.claim is not None:
            yield result.claim
        else:
            yield {"error": "invalid claim", "claim_id": result.claim_id,
                   "detail": [{"field": i.segment, "message": i.reason} for i in result.errors]}


def iter_claim_records(path: Path) -> Iterator[dict[str, Any] | str]:
    """Raw claims in input order: JSON text per line (jsonl), dicts (data set folder or
    837P file; an unreadable X12 claim is already an error record)."""
    if path.is_dir():
        from contract.dataset import read_dataset
        from contract.frames import frames_to_claims

        yield from frames_to_claims(read_dataset(path))
    elif path.is_file() and is_x12(path):
        yield from x12_records(path)
    elif path.is_file():
        with path.open(encoding="utf-8") as fh:
            for text in fh:
                if text.strip():
                    yield text
    else:
        raise OfflineInputError(f"input not found: {path}")


def chunked(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def validate(record: dict[str, Any] | str) -> Claim | dict[str, Any]:
    """A Claim, or an error record naming the failing fields (no submitted values).

    Error records start with the "error" key, so `is_error_line` spots them cheaply.
    """
    if isinstance(record, dict) and "error" in record and "lines" not in record:
        return record  # already an error record (unreadable X12 claim)
    try:
        if isinstance(record, str):
            return Claim.model_validate_json(record)
        return Claim.model_validate(record)
    except ValidationError as exc:
        return {"error": "invalid claim", "claim_id": claim_id_of(record),
                "detail": plain_detail(exc.errors(include_input=False))}


def claim_id_of(record: dict[str, Any] | str) -> str | None:
    """Best-effort claim id of an invalid record (for the error line)."""
    try:
        data = json.loads(record) if isinstance(record, str) else record
        return str(data.get("claim_id")) if isinstance(data, dict) else None
    except ValueError:
        return None


def score_chunk(predictor: Predictor, records: list[Any], options: Options) -> list[str]:
    """JSON lines (predictions and error records) of one chunk, input order."""
    checked = [validate(r) for r in records]
    claims = [c for c in checked if isinstance(c, Claim)]
    preds = iter(predictor.predict(claims, options) if claims else [])
    return [next(preds).model_dump_json() if isinstance(c, Claim) else json.dumps(c)
            for c in checked]


def is_error_line(line: str) -> bool:
    return line.startswith('{"error"')


def write_atomic(path: Path, lines: list[str]) -> None:
    """Write lines to path via a temp file + fsync + rename; on failure the temp file is
    removed and OfflineOutputError names the path."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(path, exc) from exc


def run_manifest(input_path: Path, predictor: Predictor, options: Options,
                 chunk_size: int) -> dict[str, Any]:
    """What a resumed run must match: input identity, model versions, options."""
    stat = input_path.stat() if input_path.is_file() else (input_path / "claims.parquet").stat()
    return {"input": str(input_path.resolve()), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns, "chunk_size": chunk_size,
            "options": [options.explain, options.fixes, options.max_factors, options.max_fixes],
            "models": {k: m.version for k, m in sorted(predictor.models.models.items())}}


def same_run(current: Path, manifest: dict[str, Any]) -> bool:
    """True when the parts folder's manifest is this run's (an unreadable one is not)."""
    try:
        return current.is_file() and json.loads(current.read_text()) == manifest
    except (OSError, ValueError):
        return False


def prepare_parts(parts: Path, manifest: dict[str, Any]) -> None:
    """Keep a parts folder of the same run (resume); otherwise start an empty one."""
    current = parts / MANIFEST
    if same_run(current, manifest):
        return
    try:
        shutil.rmtree(parts, ignore_errors=True)
        parts.parent.mkdir(parents=True, exist_ok=True)
        parts.mkdir()
    except OSError as exc:
        raise output_error(parts, exc) from exc
    write_atomic(current, [json.dumps(manifest)])


def assemble(parts: Path, n_chunks: int, output: Path) -> None:
    """Concatenate the chunk files into the output atomically, then drop the parts.

    On a failed write (disk full) the temp file goes and the parts stay for a rerun."""
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with tmp.open("wb") as out:
            for k in range(n_chunks):
                with (parts / f"part-{k:06d}.jsonl").open("rb") as fh:
                    shutil.copyfileobj(fh, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(output, exc) from exc
    shutil.rmtree(parts, ignore_errors=True)


def score_file(input_path: Path, output: Path, predictor: Predictor,
               options: Options = Options(), chunk_size: int = 5000) -> ScoreSummary:
    """Score every claim of input_path into output (JSON lines); see module docstring."""
    start, input_path, output = time.perf_counter(), Path(input_path), Path(output)
    if not input_path.exists():
        raise OfflineInputError(f"input not found: {input_path}")
    parts = output.with_name(f"{output.name}.parts")
    prepare_parts(parts, run_manifest(input_path, predictor, options, chunk_size))
    n_chunks = resumed = claims = errors = 0
    for k, records in enumerate(chunked(iter_claim_records(input_path), chunk_size)):
        part = parts / f"part-{k:06d}.jsonl"
        n_chunks, claims = k + 1, claims + len(records)
        if part.is_file():
            resumed += 1
            errors += sum(map(is_error_line, part.read_text().splitlines()))
            continue
        lines = score_chunk(predictor, records, options)
        errors += sum(map(is_error_line, lines))
        write_atomic(part, lines)
    assemble(parts, n_chunks, output)
    return ScoreSummary(output, claims, errors, n_chunks, resumed,
                        time.perf_counter() - start)
