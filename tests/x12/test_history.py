"""The practice history store: facts from a patient's earlier claims, no PHI stored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from contract.frames import claims_to_frames
from interop.history import HistoryStore, build_store, fill_history, patient_key
from interop.history_facts import HISTORY_COLUMNS
from tests.builders import line, make_claim_dict

BORN = "1950-04-12"


def visit(cid: str, dos: str, *codes: str, member: str = "W-ALICE", born: str = BORN,
          history: dict | None = None, sent: str | None = None, **extra) -> dict:
    lines = [line(i, code, dos=dos) for i, code in enumerate(codes or ("99213",), start=1)]
    return make_claim_dict(claim_id=cid, submission_date=sent or dos, lines=lines,
                           patient={"member_id": member, "birth_date": born, "sex": "F"},
                           history=history or {}, **extra)


def facts(claims: list[dict], denied: set[str] = frozenset()) -> pd.DataFrame:
    frames = claims_to_frames(claims)
    frames.lines["line_denied"] = frames.lines["claim_id"].isin(denied)
    out = fill_history(frames, build_store(frames))
    return out.claims.set_index("claim_id")[list(HISTORY_COLUMNS)]


def test_global_periods_010_and_090() -> None:
    out = facts([visit("EXC", "2026-01-05", "11602"), visit("REEXC", "2026-01-25", "11602"),
                 visit("FLAP", "2026-02-01", "14040"), visit("LATE", "2026-05-12", "99213"),
                 visit("INSIDE", "2026-03-01", "99213"), visit("EVE", "2026-01-31", "99213")])
    assert tuple(out.loc["REEXC", ["days_since_related_global_procedure",
                                   "related_global_days", "related_procedure_code"]]) == (
        20, 10, "11602")
    assert out.loc["INSIDE", "days_since_related_global_procedure"] == 28
    assert out.loc["INSIDE", "related_global_days"] == 90
    assert pd.isna(out.loc["LATE", "days_since_related_global_procedure"])  # 100 days on
    assert tuple(out.loc["EVE", ["days_since_related_global_procedure",
                                 "related_global_days"]]) == (0, 90)  # day before the flap
    assert pd.isna(out.loc["EXC", "related_global_days"])


def test_same_day_claims_are_not_earlier() -> None:
    out = facts([visit("A", "2026-02-01", "11602"), visit("B", "2026-02-01", "99213")],
                denied={"A"})
    assert pd.isna(out.loc["B", "days_since_related_global_procedure"])
    assert not out.loc["B", "established_patient"] and out.loc["B", "sessions_this_year"] == 0
    assert pd.isna(out.loc["B", "days_since_last_visit"])


def test_sessions_this_year_reset_on_january_first() -> None:
    out = facts([visit(f"P{i}", d, "96910") for i, d in enumerate(
        ["2025-12-15", "2025-12-18", "2025-12-22", "2026-01-02", "2026-01-05"])])
    assert list(out["sessions_this_year"]) == [0, 1, 2, 0, 1]


def test_established_prior_denials_and_other_patients() -> None:
    out = facts([visit("OLD", "2022-01-10", "17000"), visit("D1", "2025-06-01", "17000"),
                 visit("NEW", "2026-03-01", "17000"), visit("BOB", "2026-03-01", "17000",
                                                            member="W-BOB"),
                 visit("KID", "2026-03-02", "17000", born="2016-05-05")], denied={"D1", "OLD"})
    assert not out.loc["D1", "established_patient"]  # last visit 3 years 5 months before
    assert out.loc["D1", "days_since_last_visit"] == 1238
    assert out.loc["NEW", "established_patient"]
    assert out.loc["NEW", "prior_denials_same_code"] == 2
    assert out.loc["NEW", "days_since_last_visit"] == 273
    assert not out.loc["BOB", "established_patient"]  # another member id
    assert not out.loc["KID", "established_patient"]  # dependant: same id, other birth date


def test_lines_billed_before_find_a_claim_sent_again() -> None:
    """A copy sent later has every line billed before (same patient, date of service and
    code); the first claim, a same-day second claim, another patient and another date of
    service have none; a later claim repeating one of two codes has one."""
    out = facts([visit("FIRST", "2026-03-02", "11102", "99213", sent="2026-03-04"),
                 visit("COPY", "2026-03-02", "11102", "99213", sent="2026-03-25"),
                 visit("SPLIT", "2026-03-02", "11102", "17000", sent="2026-03-30"),
                 visit("SAMEDAY", "2026-03-02", "11102", sent="2026-03-04"),
                 visit("BOB", "2026-03-02", "11102", "99213", member="W-BOB",
                       sent="2026-03-25"),
                 visit("NEXT", "2026-03-09", "11102", sent="2026-03-26"),
                 visit("FIX", "2026-03-02", "11102", "99213", sent="2026-04-20",
                       claim_frequency="7", original_claim_id="FIRST")])
    billed = out["lines_billed_before"].to_dict()
    assert billed == {"FIRST": 0, "COPY": 2, "SPLIT": 1, "SAMEDAY": 0, "BOB": 0, "NEXT": 0,
                      "FIX": 2}


def test_caller_history_is_kept_and_lookup_agrees_with_fill(tmp_path: Path) -> None:
    claims = [visit("EXC", "2026-01-05", "11602"), visit("E", "2026-01-12", "99213"),
              visit("F", "2026-01-12", "99213", history={"sessions_this_year": 7}),
              visit("P", "2026-01-20", "96910", "11602")]
    frames = claims_to_frames(claims)
    frames.lines["line_denied"] = frames.lines["claim_id"].eq("EXC")
    store = build_store(frames)
    filled = fill_history(frames, store).claims.set_index("claim_id")
    assert filled.loc["F", "sessions_this_year"] == 7
    assert pd.isna(filled.loc["F", "established_patient"])  # the caller's history stands
    store.save(tmp_path / "history")
    loaded = HistoryStore.load(tmp_path / "history")
    for c in claims:
        if c["claim_id"] == "F":
            continue
        looked = loaded.lookup(c)
        expected = filled.loc[c["claim_id"], list(HISTORY_COLUMNS)]
        assert looked == {k: (None if pd.isna(v) else v) for k, v in expected.items()}


def test_store_files_hold_no_member_id_or_birth_date(tmp_path: Path) -> None:
    claims = [visit(f"C{i}", "2026-01-05", member=f"MEMBER{i:05d}X") for i in range(20)]
    frames = claims_to_frames(claims)
    frames.claims["denied"] = pd.array([i % 2 == 0 for i in range(20)], dtype="boolean")
    frames.claims["denial_carc"] = ["CO-185" if i % 2 == 0 else None for i in range(20)]
    store = build_store(frames)
    folder = store.save(tmp_path / "history")
    data = b"".join(p.read_bytes() for p in folder.iterdir())
    assert sorted(p.name for p in folder.iterdir()) == ["lines.parquet", "outcomes.parquet",
                                                        "store.json"]
    assert len(store.outcomes) == 20
    for i in range(20):
        assert f"MEMBER{i:05d}X".encode() not in data
    assert b"1950-04-12" not in data and b"19500412" not in data
    other = build_store(claims_to_frames(claims))
    assert other.salt != store.salt  # a salt per store: keys differ between stores
    assert patient_key("MEMBER00000X", BORN, store.salt) != patient_key(
        "MEMBER00000X", BORN, other.salt)


def test_store_of_another_version_is_refused(tmp_path: Path) -> None:
    from interop.history import HistoryStoreError

    folder = build_store(claims_to_frames([visit("A", "2026-01-05")])).save(tmp_path / "h")
    (folder / "store.json").write_text('{"version": 0, "salt": "x"}')
    with pytest.raises(HistoryStoreError, match="version"):
        HistoryStore.load(folder)


def test_lookup_agrees_with_fill_on_a_random_history() -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    codes = ["11602", "14040", "96910", "99213", "17000", "10060", "J3301"]
    days = pd.Timestamp("2024-11-01") + pd.to_timedelta(rng.integers(0, 500, 300), unit="D")
    lags = pd.to_timedelta(rng.integers(0, 40, 300), unit="D")
    claims = [visit(f"R{i}", str(d.date()), *rng.choice(codes, rng.integers(1, 3),
                                                         replace=False),
                    member=f"M{rng.integers(0, 12)}", born=str(rng.choice([BORN, "2012-02-29"])),
                    sent=str((d + lag).date()))
              for i, (d, lag) in enumerate(zip(days, lags))]
    claims += [{**c, "claim_id": f"{c['claim_id']}-AGAIN",  # copies sent again later
                "submission_date": str((pd.Timestamp(c["submission_date"])
                                        + pd.Timedelta(days=int(k))).date())}
               for c, k in zip(claims[::10], rng.integers(0, 30, 30))]
    frames = claims_to_frames(claims)
    frames.lines["line_denied"] = rng.random(len(frames.lines)) < 0.3
    store = build_store(frames)
    filled = fill_history(frames, store).claims.set_index("claim_id")[list(HISTORY_COLUMNS)]
    assert filled["related_global_days"].notna().sum() > 10
    assert (filled["sessions_this_year"] > 0).sum() > 10
    assert (filled["lines_billed_before"] > 0).sum() > 10
    for c in claims:
        expected = {k: (None if pd.isna(v) else v) for k, v in filled.loc[c["claim_id"]].items()}
        assert store.lookup(c) == expected, c["claim_id"]


def test_store_keeps_the_providers_outcome_of_each_answered_claim(tmp_path: Path) -> None:
    """Each remit's payer, rendering NPI, submission date, denial and CARC are kept (serving
    reads a provider's enrolment from them); a claim without a remit and every patient
    field are not."""
    frames = claims_to_frames([visit("A", "2026-01-05"), visit("B", "2026-01-06"),
                               visit("C", "2026-01-07")])
    frames.claims["denied"] = pd.array([True, False, None], dtype="boolean")
    frames.claims["denial_carc"] = ["CO-185", None, None]
    folder = build_store(frames).save(tmp_path / "h")
    store = HistoryStore.load(folder)
    out = store.outcomes
    assert '"claims_answered": 2' in (folder / "store.json").read_text()
    assert list(out.columns) == ["payer_id", "rendering_npi", "submission_date", "denied",
                                 "denial_carc"]
    assert out["denied"].tolist() == [True, False]
    assert out["denial_carc"].tolist()[0] == "CO-185"
    assert out["rendering_npi"].tolist() == frames.claims["rendering_npi"].tolist()[:2]
    assert str(out["submission_date"].iloc[1].date()) == "2026-01-06"


def test_a_version_2_store_is_read_without_outcomes(tmp_path: Path) -> None:
    """A store written before outcomes were kept still serves history lookups; the models
    then keep the standing they learned in training."""
    import json

    folder = build_store(claims_to_frames([visit("A", "2026-01-05")])).save(tmp_path / "h")
    meta = json.loads((folder / "store.json").read_text())
    (folder / "store.json").write_text(json.dumps({**meta, "version": 2}))
    (folder / "outcomes.parquet").unlink()
    store = HistoryStore.load(folder)
    assert store.outcomes.empty and len(store.rows) == 1
