"""Bulk scoring (`score --output X.parquet`): same numbers as the JSON-lines path, a fixed
flat schema, error rows for invalid claims, clear errors for unusable input, atomic
output, and the Dask engine giving the local engine's rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from contract.dataset import write_dataset
from contract.frames import ClaimFrames
from reference.vocab import CATEGORIES
from serving.bulk import OUTPUT_COLUMNS, output_schema, score_dataset
from serving.bulk_input import BulkInputError
from serving.offline import score_file
from serving.scoring import MIN_REASON_PROBABILITY, Options
from synthetic_data.config import GeneratorConfig
from synthetic_data.generate import generate_frames

pytestmark = pytest.mark.slow
PLAIN = Options(explain=False, fixes=False)
EXPLAINED = Options(explain=True, fixes=False, max_factors=5)


@pytest.fixture(scope="module")
def frames() -> ClaimFrames:
    return generate_frames(GeneratorConfig(claims=700, seed=17))


@pytest.fixture(scope="module")
def dataset(frames, tmp_path_factory) -> Path:
    return write_dataset(frames, tmp_path_factory.mktemp("bulk") / "claims")


def json_rows(src: Path, predictor, options: Options, tmp: Path) -> list[dict]:
    out = tmp / "reference.jsonl"
    score_file(src, out, predictor, options, chunk_size=300)
    return [json.loads(x) for x in out.read_text().splitlines()]


def bulk_rows(src: Path, predictor, options: Options, tmp: Path, **kw) -> pd.DataFrame:
    out = tmp / "scores.parquet"
    score_dataset(src, out, predictor, options, chunk_size=kw.pop("chunk_size", 250), **kw)
    return pd.read_parquet(out)


def reasons_of(row: pd.Series) -> list[tuple]:
    return [(row[f"reason_{k}_category"], row[f"reason_{k}_carc"],
             row[f"reason_{k}_probability"]) for k in (1, 2, 3)
            if isinstance(row[f"reason_{k}_category"], str)]


def factors_of(row: pd.Series) -> list[tuple]:
    out = [(row[f"factor_{k}_name"], row[f"factor_{k}_contribution"]) for k in range(1, 6)
           if isinstance(row[f"factor_{k}_name"], str)]
    if not np.isnan(row["other_factors"]):
        out.append(("other_factors", row["other_factors"]))
    return out


def assert_same_scores(bulk: pd.DataFrame, reference: list[dict], explained: bool) -> None:
    """Every valid claim: same model, probability (1e-9), band, reasons (and factors)."""
    assert list(bulk["claim_id"]) == [r["claim_id"] for r in reference]
    for (_, row), ref in zip(bulk.iterrows(), reference):
        if "error" in ref:
            assert isinstance(row["error"], str) and np.isnan(row["denial_probability"])
            continue
        assert row["error"] is None or pd.isna(row["error"])
        assert (row["model_name"], row["model_version"], row["fallback"]) == (
            ref["model"]["name"], ref["model"]["version"], ref["model"]["fallback"])
        assert abs(row["denial_probability"] - ref["denial_probability"]) <= 1e-9
        assert row["risk_band"] == ref["risk_band"] and row["payer_id"] == ref["payer_id"]
        expected = [(r["category"], r["carc"], r["probability"]) for r in ref["reasons"]]
        got = reasons_of(row)
        assert [g[:2] for g in got] == [e[:2] for e in expected]
        assert np.allclose([g[2] for g in got], [e[2] for e in expected], rtol=0, atol=1e-9)
        if explained:
            assert_same_factors(row, ref)


def assert_same_factors(row: pd.Series, ref: dict) -> None:
    """Bulk factors are the strongest non-context factors with the JSON path's own
    contributions; every JSON driver (a finding present on the claim) is among them unless
    the k bulk slots are taken by stronger ones."""
    got = {k: v for k, v in factors_of(row) if k != "other_factors"}
    drivers = {e["factor"]: e["contribution"] for e in ref["explanation"]
               if e["factor"] != "other_factors"}
    context = {c["factor"] for c in ref["context"]}
    assert not set(got) & context
    for factor, value in drivers.items():
        if factor in got:
            assert abs(got[factor] - value) <= 1e-9, factor
        else:  # crowded out: every bulk slot is taken, by stronger raising factors
            assert len(got) == EXPLAINED.max_factors, factor
            if value > 0:
                assert min(got.values()) >= value - 1e-9, factor
    assert abs(row["base_value"] - ref["base_value"]) <= 1e-9


def test_bulk_equals_the_json_lines_path(predictor, dataset, tmp_path):
    bulk = bulk_rows(dataset, predictor, PLAIN, tmp_path)
    reference = json_rows(dataset, predictor, PLAIN, tmp_path)
    assert bulk["fallback"].any() and not bulk["fallback"].all()  # MCR model + pooled
    # a reason is shown from MIN_REASON_PROBABILITY on: certain once P(denied) exceeds it
    # once per category (the largest of the category shares is at least 1/len(CATEGORIES))
    sure = bulk["denial_probability"] >= MIN_REASON_PROBABILITY * len(CATEGORIES)
    assert sure.mean() > 0.5 and bulk.loc[sure, "reason_1_category"].notna().all()
    assert_same_scores(bulk, reference, explained=False)


def test_explained_bulk_equals_the_json_lines_explanations(predictor, frames, tmp_path):
    head = frames.claims.iloc[:150].reset_index(drop=True)
    lines = frames.lines[frames.lines["claim_id"].isin(head["claim_id"])]
    src = write_dataset(ClaimFrames(head, lines.reset_index(drop=True)), tmp_path / "head")
    bulk = bulk_rows(src, predictor, EXPLAINED, tmp_path, chunk_size=60)
    ref = json_rows(src, predictor, EXPLAINED, tmp_path)
    # a claim whose every driver is context or folded into "other factors" has none
    assert bulk["factor_1_name"].notna().mean() > 0.9
    assert_same_scores(bulk, ref, explained=True)


def broken(frames: ClaimFrames) -> ClaimFrames:
    """Copies with one contract error in each of claims 1-9 (claim 0 stays valid)."""
    claims, lines = frames.claims.copy(), frames.lines.copy()
    ids = claims["claim_id"].tolist()
    first_line = {cid: lines.index[lines["claim_id"] == cid][0] for cid in ids[:10]}
    claims.loc[1, "place_of_service"] = "1"
    lines.loc[first_line[ids[2]], "cpt"] = "NOPE1"
    lines.loc[first_line[ids[3]], "mod_1"] = "Z"
    lines.loc[first_line[ids[4]], "dxp_1"] = 9
    claims.loc[6, "dx_1"] = "XYZ.9"
    lines.loc[first_line[ids[7]], "date_of_service"] = claims.loc[7, "submission_date"] + \
        pd.Timedelta(days=5)
    claims.loc[8, "sex"] = "Q"
    lines.loc[first_line[ids[9]], "units"] = 0
    lines = lines[lines["claim_id"] != ids[5]]  # claim 5: no lines
    return ClaimFrames(claims, lines.reset_index(drop=True))


def test_invalid_claims_get_error_rows_where_the_json_path_has_error_records(
        predictor, frames, tmp_path):
    head = frames.claims.iloc[:40].reset_index(drop=True)
    small = ClaimFrames(head, frames.lines[frames.lines["claim_id"].isin(head["claim_id"])])
    src = write_dataset(broken(small), tmp_path / "broken")
    bulk = bulk_rows(src, predictor, PLAIN, tmp_path, chunk_size=16)
    reference = json_rows(src, predictor, PLAIN, tmp_path)
    assert [i for i, r in enumerate(reference) if "error" in r] == list(range(1, 10))
    assert list(bulk.index[bulk["error"].notna()]) == list(range(1, 10))
    assert bulk.loc[2, "error"] == "lines[0].cpt: not a CPT/HCPCS code"
    assert bulk.loc[5, "error"] == "lines: at least 1 line is required"
    assert bulk.loc[1:9, ["denial_probability", "model_name", "reason_1_category"]
                    ].isna().all().all()
    assert_same_scores(bulk, reference, explained=False)


def test_a_chunk_without_valid_claims_is_all_error_rows(predictor, frames, tmp_path):
    head = frames.claims.iloc[:20].assign(sex="Q")
    lines = frames.lines[frames.lines["claim_id"].isin(head["claim_id"])]
    src = write_dataset(ClaimFrames(head, lines), tmp_path / "bad-sex")
    out = tmp_path / "s.parquet"
    summary = score_dataset(src, out, predictor, EXPLAINED, chunk_size=8)
    rows = pd.read_parquet(out)
    assert summary.errors == len(rows) == 20
    assert (rows["error"] == "patient.sex: must be M, F or U").all()
    assert rows[["denial_probability", "factor_1_name", "base_value"]].isna().all().all()


def test_output_schema_and_row_groups(predictor, dataset, tmp_path):
    out = tmp_path / "s.parquet"
    summary = score_dataset(dataset, out, predictor, PLAIN, chunk_size=300)
    meta = pq.ParquetFile(out).metadata
    assert summary.claims == meta.num_rows == 700 and summary.errors == 0
    assert summary.chunks == meta.num_row_groups == 3
    assert pq.read_schema(out).remove_metadata() == output_schema(PLAIN)
    assert output_schema(PLAIN).names == OUTPUT_COLUMNS
    assert output_schema(EXPLAINED).names[len(OUTPUT_COLUMNS):] == [
        "base_value", *[f"factor_{k}_{x}" for k in range(1, 6)
                        for x in ("name", "contribution")], "other_factors"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.parquet"]


def test_claims_file_input_and_shuffled_lines_give_the_same_rows(predictor, frames,
                                                                 dataset, tmp_path):
    expected = bulk_rows(dataset, predictor, PLAIN, tmp_path)
    shuffled = frames.lines.sample(frac=1.0, random_state=3).reset_index(drop=True)
    src = write_dataset(ClaimFrames(frames.claims, shuffled), tmp_path / "shuffled")
    pd.testing.assert_frame_equal(bulk_rows(src / "claims.parquet", predictor, PLAIN,
                                            tmp_path), expected)


def test_failed_run_leaves_no_partial_file_and_keeps_the_old_output(predictor, dataset,
                                                                    tmp_path, monkeypatch):
    import serving.bulk as bulk

    out = tmp_path / "scores.parquet"
    out.write_bytes(b"previous results")
    real, calls = bulk.finish_chunk, []

    def crash_on_second(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        return real(*args)

    monkeypatch.setattr(bulk, "finish_chunk", crash_on_second)
    with pytest.raises(RuntimeError, match="simulated crash"):
        score_dataset(dataset, out, predictor, PLAIN, chunk_size=300)
    assert out.read_bytes() == b"previous results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.parquet"]


def rewrite(src: Path, dst: Path, claims=None, lines=None) -> Path:
    """A copy of the data set folder with its claims / lines frames replaced."""
    import shutil

    shutil.copytree(src, dst)
    if claims is not None:
        claims.to_parquet(dst / "claims.parquet", index=False)
    if lines is not None:
        lines.to_parquet(dst / "lines.parquet", index=False)
    return dst


@pytest.mark.parametrize("damage, message", [
    ("duplicate_id", "claim_id 'C-0000001' appears more than once"),
    ("no_payer_column", "no column 'payer_id'"),
    ("text_units", r"column 'units' holds string values \(large_string\), expected integer"),
    ("orphan_line", "claim_id 'X-1' of a line is not in claims.parquet"),
    ("not_a_dataset", "is not a complete data set"),
])
def test_unusable_input_is_a_clear_error_naming_the_field(predictor, frames, dataset,
                                                          tmp_path, damage, message):
    claims, lines = frames.claims, frames.lines
    target = tmp_path / "bad"
    if damage == "duplicate_id":
        rewrite(dataset, target, claims=pd.concat([claims, claims.iloc[:1]]))
    elif damage == "no_payer_column":
        rewrite(dataset, target, claims=claims.drop(columns="payer_id"))
    elif damage == "text_units":
        rewrite(dataset, target, lines=lines.assign(units=lines["units"].astype(str)))
    elif damage == "orphan_line":
        rewrite(dataset, target, lines=pd.concat([lines, lines.iloc[:1].assign(
            claim_id="X-1")]))
    else:
        target.mkdir()
    with pytest.raises(BulkInputError, match=message):
        score_dataset(target, tmp_path / "out.parquet", predictor, PLAIN)
    assert not (tmp_path / "out.parquet").exists()


def test_dask_engine_gives_the_local_rows(predictor, dataset, tmp_path):
    from distributed import Client, LocalCluster

    from serving.bulk_dask import dask_scorer

    local = bulk_rows(dataset, predictor, PLAIN, tmp_path)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        out = tmp_path / "dask.parquet"
        summary = score_dataset(dataset, out, predictor, PLAIN, chunk_size=250,
                                scorer=dask_scorer(client, predictor, PLAIN), engine="dask")
    assert summary.chunks == 3 and summary.engine == "dask"
    pd.testing.assert_frame_equal(pd.read_parquet(out), local)


def cli(*args: str):
    from typer.testing import CliRunner

    from denialrisk.cli import app

    return CliRunner().invoke(app, ["score", *args])


def test_cli_parquet_output_runs_the_bulk_path(bentoml_home, serving_env, dataset, tmp_path):
    out = tmp_path / "cli.parquet"
    result = cli("--input", str(dataset), "--output", str(out), "--no-explain",
                 "--bentoml-home", str(bentoml_home))
    assert result.exit_code == 0, result.output
    assert "claims=700" in result.output and "engine='local'" in result.output
    assert pq.read_schema(out).names == OUTPUT_COLUMNS


@pytest.mark.parametrize("args, message", [
    (["--engine", "spark"], "Input should be 'local' or 'dask'"),
    (["--engine", "dask", "--output", "x.jsonl"], "--engine dask needs a .parquet output"),
    (["--input", "IN.jsonl"], "Parquet output needs a data set folder or its claims.parquet"),
    (["--input", "NO_PAYER"], "no column 'payer_id'"),
])
def test_cli_bad_bulk_arguments_exit_2_without_traceback(bentoml_home, serving_env, frames,
                                                         dataset, tmp_path, args, message):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("{}\n")
    no_payer = rewrite(dataset, tmp_path / "np", claims=frames.claims.drop(columns="payer_id"))
    paths = {"IN.jsonl": str(jsonl), "NO_PAYER": str(no_payer)}
    args = [paths.get(a, a) for a in args]
    base = {"--input": str(dataset), "--output": str(tmp_path / "o.parquet")}
    for flag, value in base.items():
        if flag not in args:
            args += [flag, value]
    result = cli(*args, "--bentoml-home", str(bentoml_home))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.parquet").exists()


def test_cli_dask_engine_on_a_given_scheduler(bentoml_home, serving_env, predictor, dataset,
                                              tmp_path):
    from distributed import LocalCluster

    local = bulk_rows(dataset, predictor, PLAIN, tmp_path)
    out = tmp_path / "dask-cli.parquet"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        result = cli("--input", str(dataset), "--output", str(out), "--no-explain",
                     "--engine", "dask", "--scheduler", cluster.scheduler_address,
                     "--chunk-size", "300", "--bentoml-home", str(bentoml_home))
    assert result.exit_code == 0, result.output
    assert "engine='dask'" in result.output and "chunks=3" in result.output
    pd.testing.assert_frame_equal(pd.read_parquet(out), local)
