"""Revenue-cycle KPIs from scored claims joined with their outcomes (`denialrisk kpis`).

Input is one row per claim: the model's denial probability, risk band and P(category |
denied) next to what the payer did (generated outcomes or an 835 ingest). Definitions:
- predicted / actual denial rate: mean P(denied) / share of claims denied;
- first-pass acceptance: share of claims paid on first submission (not denied);
- clean-claim rate: share of claims the model lets through (risk band `pass`);
- revenue at risk: charges of the claims predicted to be denied (band warn or block);
- revenue protected: charges of denied claims in the block band, i.e. what fixing the
  block-band claims before submission would have saved.
Claim patterns (`claim_tokens`: procedure families, modifiers, the claim's E/M pattern)
are the code groups the report and the drift monitor (training/monitor.py) break down by.
All functions are pure (frames in, frames out); `render_table` only builds a rich Table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from contract.frames import MOD_COLS, ClaimFrames
from reference.codes import family_of
from reference.vocab import CATEGORIES
from training.split import claim_service_dates

FLAGGED_BANDS = ("block", "warn")
ALL = "ALL"
SUMMARY_COLUMNS = ("claims", "charges", "predicted_denial_rate", "actual_denial_rate",
                   "first_pass_acceptance", "clean_claim_rate", "revenue_at_risk",
                   "revenue_protected")


def claim_charges(frames: ClaimFrames) -> pd.Series:
    """Total billed charge per claim, aligned with frames.claims rows."""
    total = frames.lines.groupby("claim_id", observed=True)["charge"].sum()
    ids = frames.claims["claim_id"].astype(str).reset_index(drop=True)
    total.index = total.index.astype(str)
    return ids.map(total).fillna(0.0).astype(float)


def scored_outcomes(frames: ClaimFrames, scores: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: ids, service date/week/month, charge, outcome and model scores.

    `scores` is indexed by claim_id with denial_probability, risk_band and one
    P(category | denied) column per category (ModelBundle.score); p_<category> is the
    joint P(denied for that category).
    """
    claims = frames.claims.reset_index(drop=True)
    missing = {"denied", "denial_category"} - set(claims.columns)
    if missing:
        raise ValueError(f"the data set has no outcome columns {sorted(missing)}: KPIs and "
                         "monitoring need adjudicated claims (generated, or ingested from 835)")
    ids = claims["claim_id"].astype(str)
    s = scores.reindex(ids.to_numpy())
    dos = claim_service_dates(frames)
    out = pd.DataFrame({
        "claim_id": ids.to_numpy(), "payer_id": claims["payer_id"].astype(str).to_numpy(),
        "service_date": dos.to_numpy(), "week": dos.dt.to_period("W-SUN").dt.start_time,
        "month": dos.dt.to_period("M").astype(str).to_numpy(),
        "charge": claim_charges(frames).to_numpy(),
        "denied": claims["denied"].astype("boolean").fillna(False).to_numpy(bool),
        "denial_category": claims["denial_category"].astype(object).where(
            claims["denied"].astype("boolean").fillna(False).to_numpy(bool)).to_numpy(),
        "denial_probability": s["denial_probability"].to_numpy(dtype=float),
        "risk_band": s["risk_band"].astype(object).to_numpy(),
    })
    joint = s[list(CATEGORIES)].to_numpy(dtype=float) * out["denial_probability"].to_numpy()[
        :, None]
    return pd.concat([out, pd.DataFrame(joint, columns=[f"p_{c}" for c in CATEGORIES])], axis=1)


def line_families(frames: ClaimFrames) -> pd.Series:
    """Procedure family of every line ('em' for E/M, 'other' for codes not in our table)."""
    return family_of(frames.lines["cpt"].astype(str)).fillna("other").astype(str)


def em_patterns(frames: ClaimFrames, family: pd.Series) -> pd.DataFrame:
    """The E/M pattern of each claim with an E/M and a procedure, as payers audit 25.

    'E/M without 25 with <families>', 'E/M+25 with <families>' (separate E/M note on file)
    or 'E/M+25, no separate note, with <families>', where <families> is the claim's exact
    set of procedure families joined by '+' (so a pattern names the whole claim).
    """
    ids = frames.lines["claim_id"].astype(str).to_numpy()
    is_em = (family == "em").to_numpy()
    has25 = (frames.lines[MOD_COLS].astype(object) == "25").any(axis=1).to_numpy()
    em = pd.Series(has25[is_em], index=ids[is_em]).groupby(level=0).max()
    procs = pd.DataFrame({"claim_id": ids[~is_em], "family": family.to_numpy()[~is_em]})
    procs = procs[procs["claim_id"].isin(em.index)].drop_duplicates()
    families = procs.sort_values("family").groupby("claim_id")["family"].agg("+".join)
    note = frames.claims.get("doc_separate_em_note", pd.Series(dtype="boolean"))
    noted = pd.Series(note.astype("boolean").fillna(False).to_numpy(bool),
                      index=frames.claims["claim_id"].astype(str).to_numpy())
    with25 = em.reindex(families.index).to_numpy(bool)
    has_note = noted.reindex(families.index).fillna(False).to_numpy(bool)
    label = np.where(~with25, "E/M without 25 with ", np.where(
        has_note, "E/M+25 with ", "E/M+25, no separate note, with ")) + families.to_numpy()
    return pd.DataFrame({"claim_id": families.index.to_numpy(), "token": label})


def claim_tokens(frames: ClaimFrames, codes: bool = False) -> pd.DataFrame:
    """(claim_id, token) pairs: procedure families, modifiers, E/M patterns (+ CPT codes)."""
    family = line_families(frames)
    ids = frames.lines["claim_id"].astype(str)
    proc = (family != "em").to_numpy()
    parts = [pd.DataFrame({"claim_id": ids[proc], "token": family[proc]}), em_patterns(frames,
                                                                                     family)]
    for col in MOD_COLS:
        mod = frames.lines[col].astype(object)
        has = mod.notna().to_numpy()
        parts.append(pd.DataFrame({"claim_id": ids[has], "token": "modifier " + mod[has]}))
    if codes:
        parts.append(pd.DataFrame({"claim_id": ids, "token": "CPT " + frames.lines["cpt"]
                                   .astype(str)}))
    out = pd.concat(parts, ignore_index=True).astype(str).drop_duplicates()
    return out.reset_index(drop=True)


def kpi_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Per-claim indicator columns whose group means/sums are the KPIs."""
    flagged = table["risk_band"].isin(FLAGGED_BANDS).to_numpy()
    block = (table["risk_band"] == "block").to_numpy()
    denied = table["denied"].to_numpy(bool)
    charge = table["charge"].to_numpy(dtype=float)
    return pd.DataFrame({
        "claims": 1, "charges": charge,
        "predicted_denial_rate": table["denial_probability"].to_numpy(dtype=float),
        "actual_denial_rate": denied.astype(float),
        "first_pass_acceptance": (~denied).astype(float),
        "clean_claim_rate": (table["risk_band"] == "pass").to_numpy().astype(float),
        "revenue_at_risk": np.where(flagged, charge, 0.0),
        "revenue_protected": np.where(block & denied, charge, 0.0),
    }, index=table.index)


def summarise(cols: pd.DataFrame, keys: list[pd.Series] | pd.Series) -> pd.DataFrame:
    """Group the indicator columns: counts and money summed, rates averaged."""
    sums = ["claims", "charges", "revenue_at_risk", "revenue_protected"]
    rates = [c for c in SUMMARY_COLUMNS if c not in sums]
    grouped = cols.groupby(keys, sort=True)
    out = pd.concat([grouped[sums].sum(), grouped[rates].mean()], axis=1)
    return out[list(SUMMARY_COLUMNS)]


def payer_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The KPI table: one row per payer plus an ALL row (index payer_id)."""
    cols = kpi_columns(table)
    per_payer = summarise(cols, table["payer_id"].rename("payer_id"))
    overall = summarise(cols, pd.Series(ALL, index=table.index, name="payer_id"))
    return pd.concat([per_payer, overall])


def denial_rates_by_month(table: pd.DataFrame) -> pd.DataFrame:
    """Predicted vs actual denial rate per payer and service month (with the gap)."""
    cols = kpi_columns(table)[["claims", "predicted_denial_rate", "actual_denial_rate"]]
    keys = [table["payer_id"].rename("payer_id"), table["month"].rename("month")]
    grouped = cols.groupby(keys, sort=True)
    out = pd.concat([grouped[["claims"]].sum(),
                     grouped[["predicted_denial_rate", "actual_denial_rate"]].mean()], axis=1)
    return out.assign(gap=out["actual_denial_rate"] - out["predicted_denial_rate"])


def denial_rate_by_category(table: pd.DataFrame) -> pd.DataFrame:
    """Per payer and reason category: denials, actual and predicted rate, share of denials."""
    cats = list(CATEGORIES)
    actual = pd.get_dummies(pd.Categorical(table["denial_category"], categories=cats))
    predicted = table[[f"p_{c}" for c in cats]].set_axis(cats, axis=1)
    keys = table["payer_id"].rename("payer_id")
    claims = keys.value_counts().rename("claims")
    denials = actual.astype(float).set_index(table.index).groupby(keys).sum()
    long = denials.stack().rename("denials").to_frame()
    long["predicted"] = predicted.groupby(keys).sum().stack()
    long.index = long.index.set_names(["payer_id", "category"])
    n = long.index.get_level_values("payer_id").map(claims).to_numpy(dtype=float)
    total = long.groupby(level="payer_id")["denials"].transform("sum").to_numpy()
    out = pd.DataFrame({"denials": long["denials"].to_numpy(),
                        "actual_rate": long["denials"].to_numpy() / n,
                        "predicted_rate": long["predicted"].to_numpy() / n,
                        "share_of_denials": np.divide(long["denials"].to_numpy(), total,
                                                      out=np.zeros(len(long)),
                                                      where=total > 0)}, index=long.index)
    return out[(out["denials"] > 0) | (out["predicted_rate"] >= 1e-4)]


def monthly_model_quality(table: pd.DataFrame, payer: str | None = None) -> pd.DataFrame:
    """Model AUC and ECE per service month (one payer or all), to show drift and recovery."""
    from training.metrics import expected_calibration_error, safe_auc

    rows = table if payer is None else table[table["payer_id"] == payer]
    out = {}
    for month, g in rows.groupby("month", sort=True):
        y, p = g["denied"].to_numpy(int), g["denial_probability"].to_numpy(float)
        out[month] = {"claims": len(g), "actual_denial_rate": float(y.mean()),
                      "predicted_denial_rate": float(p.mean()), "auc": safe_auc(y, p),
                      "ece": expected_calibration_error(y, p)}
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("month")


def observed_vs_predicted(table: pd.DataFrame, payer: str, category: str,
                          claim_ids: pd.Series | None = None) -> pd.DataFrame:
    """Per service month: claims, observed and predicted denials for one reason and payer.

    Optionally restricted to some claims (a code pattern), which is where a payer's rule
    change shows long before it moves the payer's overall AUC.
    """
    rows = table[table["payer_id"] == payer]
    if claim_ids is not None:
        rows = rows[rows["claim_id"].isin(set(claim_ids))]
    frame = pd.DataFrame({"month": rows["month"], "claims": 1,
                          "observed": (rows["denial_category"] == category).astype(float),
                          "predicted": rows[f"p_{category}"]})
    return frame.groupby("month").sum()


MONEY = frozenset({"charges", "revenue_at_risk", "revenue_protected", "money_at_stake"})
PERCENT = frozenset({"first_pass_acceptance", "share_of_denials", "gap", "share", "mean_risk",
                     "flagged", "this_payer", "other_payers", "difference", "predicted",
                     "observed"})
SCORES = frozenset({"auc", "ece", "brier", "pr_auc", "recall_at_90_precision", "mean_push"})


def format_cell(column: str, value: Any) -> str:
    """Human cell text: money with $, rates as percentages, scores with 3 decimals."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return str(value)
    if column in MONEY:
        return f"${value:,.0f}"
    if column in PERCENT or column.endswith("rate"):
        return f"{value:.1%}"
    if column in SCORES:
        return f"{value:.3f}"
    return f"{value:,.0f}"


def render_table(frame: pd.DataFrame, title: str) -> Any:
    """A rich Table of a KPI frame (index levels become the first columns)."""
    from rich.table import Table

    flat = frame.reset_index()
    table = Table(title=title)
    for col in flat.columns:
        table.add_column(str(col).replace("_", " "), justify="left" if col in
                         frame.index.names else "right")
    for record in flat.itertuples(index=False):
        table.add_row(*(format_cell(c, v) for c, v in zip(flat.columns, record)))
    return table
