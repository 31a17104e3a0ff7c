"""Data commands: generate synthetic claims, ingest real 837P/835 history."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from denialrisk.commands.common import fail, opt, path_default, resolve, working


def generate(
    claims: int = opt("claims"),
    seed: int = opt("seed"),
    start: str = opt("start"),
    end: str = opt("end"),
    out: Path = typer.Option(None, "--out", help="Output data set folder",
                             show_default=path_default("claims")),
    drift: bool = opt("drift"),
    drift_date: str = opt("drift_date"),
    error_scale: float = opt("error_scale"),
    work_dir: Path = opt("work_dir"),
    cms_dir: Path = opt("cms_dir"),
    fmt: Literal["parquet", "x12"] = typer.Option(
        "parquet", "--format", help="parquet, or x12: also write 837P claims + 835 remits "
                                    "next to the data set (<out>-x12/)"),
) -> None:
    """Generate synthetic dermatology claims with hidden per-payer rules and outcomes."""
    from synthetic_data.generate import GeneratorConfig, generate_to_path

    s = resolve(claims=claims, seed=seed, start=start, end=end, drift=drift,
                drift_date=drift_date, error_scale=error_scale, work_dir=work_dir,
                cms_dir=cms_dir)
    if s.end < s.start:
        fail(f"--end {s.end} is before --start {s.start}")
    config = GeneratorConfig.from_settings(s)
    target = out or s.data_path()
    try:
        result = generate_to_path(config, target, progress=True)
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {result.n_claims:,} claims ({result.n_lines:,} lines) to {target} "
               f"in {result.seconds:.1f}s; denial rate {result.denial_rate:.1%}")
    if fmt == "x12":
        write_x12_copy(Path(target))


def write_x12_copy(dataset: Path) -> None:
    """Write the data set's claims as 837P and outcomes as 835 files beside it.

    The files go to a temporary sibling folder renamed into place when all are written, so
    a full disk never leaves a truncated .837 in <out>-x12/ (an earlier copy stays)."""
    import shutil
    import tempfile

    from contract.dataset import read_dataset
    from interop.x12.writer import write_x12_files

    out = dataset.with_name(dataset.name + "-x12")
    tmp = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        files = write_x12_files(read_dataset(dataset), tmp)
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    except (OSError, ValueError) as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        fail(f"cannot write X12 files to {out}: {getattr(exc, 'strerror', None) or exc}")
    typer.echo(f"wrote {len(files.claims)} 837P and {len(files.remits)} 835 files to {out}")


def ingest(
    claims: list[Path] = typer.Option(..., "--claims", help="837P file(s) (repeatable)"),
    remits: list[Path] = typer.Option([], "--remits", help="835 file(s) (repeatable)",
                                      show_default="none"),
    out: Path = typer.Option(..., "--out", help="Output data set folder (training table)"),
    payer_map: Path = typer.Option(
        None, "--payer-map", help="CSV mapping 837P payer ids (NM1*PR) to our payer ids",
        show_default="interop/x12/payer_map.csv"),
) -> None:
    """Join 837P claims with 835 remittances into a training data set (denials, CARCs)."""
    from contract.dataset import DatasetError
    from interop.x12.ingest import ingest as run_ingest

    missing = [str(p) for p in [*claims, *remits] if not p.is_file()]
    if missing:
        fail(f"file not found: {', '.join(missing)}")
    try:
        with working(f"reading {len(claims)} 837P and {len(remits)} 835 file(s)"):
            report = run_ingest(claims, remits, out, payer_map_path=payer_map)
    except (DatasetError, OSError, ValueError) as exc:
        fail(str(exc))
    for name, value in vars(report).items():
        if name != "errors" and value:
            typer.echo(f"{name:26s} {value}")
    for message in report.errors[:20]:
        typer.echo(f"  {message}")


