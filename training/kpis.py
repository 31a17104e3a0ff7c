"""Revenue-cycle KPIs from scored claims joined with their outcomes (`denialrisk kpis`).

Input is one row per claim: the model's denial probability, risk band and P(category |
denied) next to what the payer did (generated outcomes or an 835 ingest). Definitions:
- predicted / actual denial rate: mean P(denied) / share of claims denied;
- first-pass acceptance: share of claims paid on first submission (not denied);
- clean-claim rate: share of claims the model lets through (risk band `pass`);
- revenue at risk: charges of the claims predicted to be denied (band warn or block);
- revenue protected: charges of denied claims in the block band, i.e. what fixing the
  block-band claims before submission would have saved.
All functions are pure (frames in, frames out); `render_table` only builds a rich Table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from features.frames import ClaimFrames
from features.vocab import CATEGORIES
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


def format_cell(column: str, value: Any) -> str:
    """Human cell text: money with $, rates as percentages, counts with separators."""
    if isinstance(value, float) and np.isnan(value):
        return "—"
    if column in ("charges", "revenue_at_risk", "revenue_protected"):
        return f"${value:,.0f}"
    if column.endswith("rate") or column in ("first_pass_acceptance", "share_of_denials",
                                             "gap", "auc", "ece"):
        return f"{value:.1%}" if column not in ("auc", "ece") else f"{value:.3f}"
    return f"{value:,.0f}" if isinstance(value, int | float | np.integer | np.floating) \
        else str(value)


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
