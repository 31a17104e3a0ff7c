"""Data commands: generate synthetic claims, ingest real 837P/835 history."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from denialrisk.commands.common import fail, opt, path_default, resolve


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
        "parquet", "--format", help="parquet, or x12: also write the practice's 837P claims "
                                    "and 835 remits by payer and month, plus truth.parquet "
                                    "(ground truth, for evaluation only), next to the data set "
                                    "(<out>-x12/)"),
    profile: str = typer.Option(None, "--profile",
                                help="Practice profile of the generator (its payers, rules "
                                     "and habits): demo or valley",
                                show_default="demo"),
) -> None:
    """Generate synthetic dermatology claims with hidden per-payer rules and outcomes."""
    from synthetic_data.generate import GeneratorConfig, generate_to_path

    s = resolve(claims=claims, seed=seed, start=start, end=end, drift=drift,
                drift_date=drift_date, error_scale=error_scale, work_dir=work_dir,
                cms_dir=cms_dir)
    if s.end < s.start:
        fail(f"--end {s.end} is before --start {s.start}")
    config = GeneratorConfig.from_settings(s)
    if profile:
        config = with_profile(config, profile)
    target = out or s.data_path()
    try:
        result = generate_to_path(config, target, progress=True)
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {result.n_claims:,} claims ({result.n_lines:,} lines) to {target} "
               f"in {result.seconds:.1f}s; denial rate {result.denial_rate:.1%}")
    if fmt == "x12":
        write_x12_copy(Path(target), s.cms_dir)


def with_profile(config, profile: str):
    """The config with a practice profile (the generator validates the name); only the
    fields set from the command line are passed on, so the profile's own tables apply."""
    from pydantic import ValidationError

    if "profile" not in type(config).model_fields:
        fail("this generator has no practice profiles (--profile)")
    given = {name: getattr(config, name) for name in config.model_fields_set}
    try:
        return type(config).model_validate({**given, "profile": profile})
    except ValidationError as exc:
        fail(f"--profile {profile!r}: {exc.errors()[0]['msg']}")


def write_x12_copy(dataset: Path, cms_dir: Path) -> None:
    """Write the data set's claims as 837P and outcomes as 835 files beside it, with the
    837P-only oracle (synthetic_data/oracle837.py) in truth.parquet.

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
        files = write_x12_files(with_837_oracle(read_dataset(dataset), cms_dir), tmp)
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    except (OSError, ValueError) as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        fail(f"cannot write X12 files to {out}: {getattr(exc, 'strerror', None) or exc}")
    truth = " and truth.parquet (evaluation only)" if files.truth else ""
    typer.echo(f"wrote {len(files.claims)} 837P and {len(files.remits)} 835 files{truth} "
               f"to {out}")


def with_837_oracle(frames, cms_dir: Path):
    """Generated frames with oracle_p_837: the claim-only oracle of a model that sees only
    the 837P (no documentation flags, eligibility checks or lesion records)."""
    import pandas as pd

    from synthetic_data.oracle837 import oracle_837_frame

    claims = frames.claims.reset_index(drop=True)
    if "hidden_profile" not in claims or "oracle_p_visible" not in claims:
        return frames
    oracle = oracle_837_frame(frames, str(claims["hidden_profile"].iloc[0]), cms_dir)
    return type(frames)(pd.concat([claims, oracle], axis=1), frames.lines)


def ingest(
    claims: list[Path] = typer.Option(..., "--claims",
                                      help="837P file(s) or folder(s) of them (repeatable)"),
    remits: list[Path] = typer.Option([], "--remits",
                                      help="835 file(s) or folder(s) of them (repeatable)",
                                      show_default="none"),
    out: Path = typer.Option(..., "--out", help="Output data set folder (training table; "
                                                "its history store goes to <out>/history/)"),
    payer_map: Path = opt("payer_map"),
) -> None:
    """Join 837P claims with 835 remittances into a training data set (denials, CARCs,
    corrected claims as events, patient history) and print what was read and refused."""
    from contract.dataset import DatasetError
    from interop.x12.ingest import ingest as run_ingest
    from interop.x12.payer_map import PayerMapError

    s = resolve(payer_map=payer_map)
    claim_files, remit_files = expand_paths(claims, "837"), expand_paths(remits, "835")
    missing = [str(p) for p in [*claim_files, *remit_files] if not p.is_file()]
    if missing:
        fail(f"file not found: {', '.join(missing)}")
    try:
        report = run_ingest(claim_files, remit_files, out, payer_map_path=s.payer_map,
                            progress=True)
    except (DatasetError, PayerMapError, OSError, ValueError) as exc:
        fail(str(exc))
    for text in report.lines():
        typer.echo(text)


def expand_paths(paths: list[Path], kind: str) -> list[Path]:
    """Files as given; a folder stands for the `kind` (837/835) X12 files under it."""
    from interop.x12.samples import x12_files

    out: list[Path] = []
    for path in paths:
        out += x12_files(path, kind) if path.is_dir() else [path]
    return out


