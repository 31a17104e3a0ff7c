"""The running service reads the practice's history store again after an ingest rewrote
it: a provider's new credentialing standing is served without a restart, and a store it
cannot read leaves the one it holds in service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from contract.frames import claims_to_frames
from features.standing import GAP, REMIT_AFTER_DAYS
from interop.history import build_store
from tests.builders import line, make_claim_dict

NPI = "1093817465"
SENT = ["2026-01-05", "2026-01-06", "2026-01-07"]


def denied_store(folder: Path) -> Path:
    """A store whose remits deny three MCR claims of the provider as not enrolled."""
    claims = [make_claim_dict(claim_id=f"S-{k}", payer_id="MCR", submission_date=day,
                              provider={"rendering_npi": NPI, "credentialed_with_payer": None},
                              lines=[line(1, "99213", dos=day)])
              for k, day in enumerate(SENT)]
    frames = claims_to_frames(claims)
    frames.claims["denied"] = pd.array([True] * 3, dtype="boolean")
    frames.claims["denial_carc"] = ["CO-185", "CO-B7", "CO-185"]
    return build_store(frames).save(folder)


def visit() -> dict[str, Any]:
    return make_claim_dict(claim_id="V-1", payer_id="MCR", submission_date="2026-04-02",
                           provider={"rendering_npi": NPI, "credentialed_with_payer": None},
                           lines=[line(1, "99213", dos="2026-04-01")])


def gap_known(models: Any) -> bool:
    day = (pd.Timestamp(SENT[-1]) - pd.Timestamp("2000-01-01")).days + REMIT_AFTER_DAYS
    return ("MCR", NPI, day, GAP) in models.route("MCR")[0].bundle.state.credentialing


def test_an_ingest_after_start_is_read_without_a_restart(bentoml_home, cms, tmp_path):
    from serving.modelset import load_model_set
    from serving.practice_store import PracticeStore
    from serving.scoring import Options, Predictor

    folder = tmp_path / "history"
    practice = PracticeStore(folder, load_model_set(bentoml_home), every=0.0)
    predictor = Predictor(practice.models, cms, practice.store, practice)
    assert predictor.history is None and not gap_known(predictor.models)
    denied_store(folder)  # the first ingest, after the service started
    predictor.predict([visit()], Options(explain=False, fixes=False))
    assert predictor.history is not None and gap_known(predictor.models)
    held = predictor.history
    (folder / "store.json").write_text('{"version": 99, "salt": "x"}')  # unreadable
    predictor.predict([visit()], Options(explain=False, fixes=False))
    assert predictor.history is held and gap_known(predictor.models)


def test_the_store_is_looked_at_no_more_often_than_its_interval(bentoml_home, tmp_path):
    from serving.modelset import load_model_set
    from serving.practice_store import PracticeStore

    folder = tmp_path / "history"
    practice = PracticeStore(folder, load_model_set(bentoml_home), every=3600.0)
    denied_store(folder)
    models, store = practice.current()
    assert store is None and not gap_known(models)
    practice.checked -= 3600.0  # an hour later
    models, store = practice.current()
    assert store is not None and gap_known(models)
