"""prior_denials_same_code: how many of the patient's earlier claims at the practice came
back with a denied line of a code this claim bills (the denial known before this claim
went out: its 835 arrives two weeks after submission). The practice's claim system
knows it; it follows the world's outcome (quiet rule changes on)."""

from __future__ import annotations

import numpy as np
import pandas as pd

REMIT_LAG_DAYS = 14


def prior_denials(claims: pd.DataFrame, lines: pd.DataFrame, reason: np.ndarray,
                  line_denied: np.ndarray) -> np.ndarray:
    """Per claim: the largest number, over its codes, of the patient's earlier denied
    claims with a denied line of that code."""
    pos = pd.Index(claims["claim_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        pd.Index(lines["claim_id"].to_numpy(dtype=object), dtype=object))
    patient = claims["_patient"].to_numpy()[pos]
    day = claims["submission_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    code = pd.factorize(lines["cpt"].to_numpy(dtype=object))[0]
    query = pd.DataFrame({"claim": pos, "p": patient, "c": code, "d": day[pos], "kind": 0})
    query = query.drop_duplicates(["claim", "c"])
    deny = pd.DataFrame({"claim": pos[line_denied], "p": patient[line_denied],
                         "c": code[line_denied], "d": day[pos][line_denied] + REMIT_LAG_DAYS,
                         "kind": 1}).drop_duplicates(["claim", "c"])
    events = pd.concat([query, deny], ignore_index=True).sort_values(
        ["p", "c", "d", "kind"], kind="stable")
    events["seen"] = events.groupby(["p", "c"], sort=False)["kind"].cumsum()
    asked = events[events["kind"] == 0]
    out = np.zeros(len(claims), dtype=np.int64)
    np.maximum.at(out, asked["claim"].to_numpy(), asked["seen"].to_numpy())
    return out
