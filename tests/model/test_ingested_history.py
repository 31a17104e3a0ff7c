"""Real-history path: generated claims -> 837P/835 -> ingest -> train -> evaluate (no oracle)."""

from __future__ import annotations

from contract.dataset import read_dataset
from contract.frames import ClaimFrames
from interop.x12.ingest import ingest
from interop.x12.writer import write_x12_files
from training.evaluate import evaluate_frames, load_bundles
from training.pipeline import run_training


def test_train_and_evaluate_on_ingested_remittances(frames, cms, tmp_path, make_settings):
    keep = frames.claims["claim_id"].iloc[::4]  # 8k claims: X12 I/O costs ~2.7 ms a claim
    frames = ClaimFrames(frames.claims[frames.claims["claim_id"].isin(keep)].reset_index(drop=True),
                         frames.lines[frames.lines["claim_id"].isin(keep)].reset_index(drop=True))
    files = write_x12_files(frames, tmp_path / "x12", batch=20_000)
    report = ingest(files.claims, files.remits, tmp_path / "history")
    assert report.matched == len(frames.claims) and report.unmatched_remits == 0
    history = read_dataset(tmp_path / "history")
    assert not [c for c in history.claims.columns if c.startswith("oracle_")]
    assert history.claims["denied"].mean() == frames.claims["denied"].mean()

    settings = make_settings(tmp_path, min_payer_claims=10**9)  # pooled model only: quick
    outcomes = run_training(history, cms, settings, track=False)
    assert [o.name for o in outcomes] == ["pooled"] and outcomes[0].test_metrics["auc"] > 0.75
    result = evaluate_frames(history, cms, settings, load_bundles(settings.models_dir))
    systems = set(result["overall"]) - {"n_test"}
    assert "oracle" not in systems and {"model", "logreg", "rules"} <= systems
