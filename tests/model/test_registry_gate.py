"""MLflow registry + champion gate + BentoML store, on a tmp sqlite store."""

from __future__ import annotations

import numpy as np
import pytest

from training.pipeline import run_model, store_champions
from training.store import load_from_bentoml
from training.tracking import CHAMPION, open_client, registered_name
from training.train import local_fitter

pytestmark = pytest.mark.slow


def test_gate_refuses_worse_model_and_keeps_champion(training_data, frames, cms,
                                                     tracked_settings):
    s = tracked_settings
    fit = local_fitter(s)
    first, tested = run_model(training_data, frames, cms, "MCR", "payer", fit, s, track=True)
    assert first.decision.promote, first.decision.reason
    store_champions([first], {"MCR": tested}, {}, s)
    assert first.version == "1" and first.bentoml_tag.startswith("denialrisk-mcr:")

    # trained on shuffled labels, judged on the true test labels: a worse model
    shuffled = training_data.__class__(**vars(training_data))
    train = np.flatnonzero(training_data.split.train)
    shuffled.denied = training_data.denied.copy()
    shuffled.denied[train] = np.random.default_rng(0).permutation(training_data.denied[train])
    worse, tested = run_model(shuffled, frames, cms, "MCR", "payer", fit, s, track=True)
    store_champions([worse], {"MCR": tested}, {}, s)
    assert worse.version == "2" and not worse.decision.promote
    assert "kept champion v1" in worse.decision.reason and worse.bentoml_tag is None

    client = open_client(s)
    name = registered_name("MCR")
    assert str(client.get_model_version_by_alias(name, CHAMPION).version) == "1"
    assert client.get_model_version(name, "2").tags["gate"] == "refused"
    stored = load_from_bentoml("MCR", s.bentoml_home)
    assert stored.metadata.model_version == "1"
    assert (s.mlflow_dir / "artifacts").is_dir() and not (s.mlflow_dir.parent / "mlruns").exists()


def test_cli_train_unknown_payer_is_one_line_error(frames, tmp_path):
    from typer.testing import CliRunner

    from contract.dataset import write_dataset
    from denialrisk.cli import app

    path = write_dataset(frames, tmp_path / "claims")
    result = CliRunner().invoke(app, ["train", "--data", str(path), "--payer", "XYZ",
                                      "--models-dir", str(tmp_path / "m")])
    assert result.exit_code == 2, result.output
    assert "error: unknown payer 'XYZ'" in result.output and "Traceback" not in result.output


def test_a_refit_whose_newest_month_cannot_judge_it_is_not_served(frames, cms,
                                                                  tracked_settings):
    # MCR's newest month shows no denial (remits not back yet): the refit calibrated on
    # it cannot be checked against the tested model there, so the tested one is served.
    from contract.frames import ClaimFrames
    from training.pipeline import run_training
    from training.split import claim_service_dates
    from training.store import HELDOUT_DIR

    claims = frames.claims.copy()
    month = claim_service_dates(frames).dt.strftime("%Y-%m").to_numpy()
    quiet = (month == month.max()) & (claims["payer_id"] == "MCR").to_numpy()
    claims.loc[quiet, "denied"] = False
    claims.loc[quiet, "denial_category"] = None
    # the ECE limit opened: MCR's test ECE on this small world sits near 0.03 and the
    # tested model must be promoted for its refit to be judged (a one-class month fails
    # the refit by its AUC, which no ECE limit opens)
    settings = tracked_settings.model_copy(update={"gate_max_ece": 1.0})
    outcomes = run_training(ClaimFrames(claims, frames.lines), cms, settings,
                            payers=["MCR", "pooled"])
    by_name = {o.name: o for o in outcomes}
    mcr, pooled = by_name["MCR"], by_name["pooled"]
    assert mcr.decision.promote and "the refit is not served" in mcr.refit_note
    assert "kept the tested model" in mcr.refit_note
    assert mcr.served_window == load_from_bentoml("MCR", settings.bentoml_home
                                                  ).metadata.training_window
    assert mcr.served_window["test_start"] <= mcr.served_window["test_end"]  # the tested
    [stored] = (settings.bentoml_home / "models" / "denialrisk-mcr").glob("*/")
    assert not (stored / HELDOUT_DIR).exists()
    assert pooled.refit_note == "" and pooled.served_window["test_start"] > \
        pooled.served_window["test_end"]  # the pooled refit is served
