"""835 amounts: what each line was allowed and paid, and the adjustments that explain the
difference, as contract/outcome.py names them.

A paid line is allowed at the payer's fee (MPFS non-facility amount x the payer's fee
factor, never above the charge): CO-45 writes off charge - allowed; the member's
deductible takes what it can (PR-1: January-March heavy, until the member has met it
through this practice or elsewhere), then coinsurance (PR-2) or the E/M copay (PR-3);
Medicare pays 2% less (CO-253 sequestration). A line allowed at $0 because of the
deductible is paid, not denied (shared/domain §11). A denied line carries the rule's
CARC for its whole charge and its RARC. Claim status 4 when every line is denied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reference.families import EM_CODES
from reference.fees import DEFAULT_AMOUNT, mpfs_amounts
from synthetic_data.arrays import as_object, isin, reindexed
from synthetic_data.profiles.model import PracticeProfile


def money(values: np.ndarray) -> np.ndarray:
    """Amounts rounded to cents."""
    return np.round(values.astype(float), 2)


def allowed_amounts(lines: pd.DataFrame, payer: np.ndarray, profile: PracticeProfile,
                    cms_dir) -> np.ndarray:
    """Allowed per line before denials: fee x payer factor x units, at most the charge."""
    fee = reindexed(mpfs_amounts(cms_dir), lines["cpt"], DEFAULT_AMOUNT).astype(float)
    factor = np.array([p.benefits.fee_factor for p in profile.payers])[payer]
    units = lines["units"].to_numpy(dtype=float)
    return money(np.minimum(fee * factor * units, lines["charge"].to_numpy(dtype=float)))


def deductible_taken(lines: pd.DataFrame, allowed: np.ndarray, payer: np.ndarray,
                     patient: np.ndarray, met_day: np.ndarray,
                     profile: PracticeProfile) -> np.ndarray:
    """PR-1 per paid line: what is left of the member's annual deductible, in date order,
    until the day the member meets it elsewhere."""
    dos = lines["date_of_service"].to_numpy().astype("datetime64[D]")
    year = dos.astype("datetime64[Y]")
    day_of_year = (dos - year.astype("datetime64[D]")).astype(np.int64)
    deductible = np.array([p.benefits.deductible for p in profile.payers])[payer]
    order = np.lexsort((dos.astype(np.int64), year.astype(np.int64), patient))
    group = pd.Series(patient[order]).astype(str) + "|" + pd.Series(year[order]).astype(str)
    before = pd.Series(allowed[order]).groupby(group.to_numpy()).cumsum().to_numpy() \
        - allowed[order]
    left = np.where(day_of_year[order] < met_day[order], deductible[order] - before, 0.0)
    out = np.zeros(len(allowed))
    out[order] = np.clip(left, 0, allowed[order])
    return money(out)


def amount_text(amount: np.ndarray) -> pa.Array:
    """Amounts as '125.00' strings (Arrow compute: no per-value Python formatting)."""
    cents = np.round(np.abs(np.asarray(amount, dtype=float)) * 100).astype(np.int64)
    dollars = pa.array(cents // 100).cast(pa.string())
    rest = pc.utf8_slice_codeunits(pa.array(cents % 100 + 100).cast(pa.string()), 1)
    return pc.binary_join_element_wise(dollars, rest, ".")


def adjustments_text(parts: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """'GROUP-CARC:amount' tokens joined per line, for amounts above zero."""
    tokens = []
    for code, amount in parts:
        token = pc.binary_join_element_wise(pa.scalar(code), amount_text(amount), ":")
        tokens.append(pc.if_else(pa.array(np.asarray(amount) > 0.004), token, ""))
    joined = pc.binary_join_element_wise(*tokens, " ")
    joined = pc.utf8_trim_whitespace(pc.replace_substring_regex(joined, " +", " "))
    return joined.to_numpy(zero_copy_only=False).astype(object)


def remit_lines(lines: pd.DataFrame, payer: np.ndarray, patient: np.ndarray,
                met_day: np.ndarray, denied: np.ndarray, denial_carc: np.ndarray,
                denial_rarc: np.ndarray, profile: PracticeProfile, cms_dir) -> pd.DataFrame:
    """Line outcome columns (line_allowed, line_paid, line_adjustments, line_rarcs,
    line_denied) for lines aligned with `payer`, `patient`, `met_day` and `denied`."""
    charge = lines["charge"].to_numpy(dtype=float)
    allowed = np.where(denied, 0.0, allowed_amounts(lines, payer, profile, cms_dir))
    benefits = [p.benefits for p in profile.payers]
    ded = np.where(denied, 0.0, deductible_taken(lines, allowed, payer, patient, met_day,
                                                 profile))
    em = isin(lines["cpt"], EM_CODES) & ~denied
    copay_rate = np.array([b.em_copay for b in benefits])[payer]
    coins_rate = np.array([b.coinsurance for b in benefits])[payer]
    rest = allowed - ded
    copay = np.where(em & (copay_rate > 0), np.minimum(copay_rate, rest), 0.0)
    coins = np.where(copay > 0, 0.0, money(rest * coins_rate))
    seq = money((rest - copay - coins) * np.array([b.sequestration for b in benefits])[payer])
    paid = money(rest - copay - coins - seq)
    text = adjustments_text([("CO-45", money(charge - allowed) * ~denied), ("PR-1", ded),
                             ("PR-2", coins), ("PR-3", copay), ("CO-253", seq)])
    carc = pa.array(as_object(denial_carc).astype(str))
    denial = pc.binary_join_element_wise(carc, amount_text(charge), ":").to_numpy(
        zero_copy_only=False).astype(object)
    patient_denied = denied & np.char.startswith(as_object(denial_carc).astype(str), "PR")
    return pd.DataFrame({
        "line_allowed": money(allowed), "line_paid": paid,
        "line_adjustments": pd.Series(np.where(denied, denial, text), dtype="string"),
        "line_rarcs": pd.Series(np.where(denied, as_object(denial_rarc), ""), dtype="string"),
        "line_denied": denied,
        "_patient_share": money(ded + coins + copay + np.where(patient_denied, charge, 0.0)),
    }, index=lines.index)


def claim_totals(lines: pd.DataFrame, remits: pd.DataFrame, n_claims: int,
                 claim_pos: np.ndarray) -> dict[str, np.ndarray]:
    """paid_amount, patient_responsibility and claim_status per claim."""
    paid = np.bincount(claim_pos, remits["line_paid"].to_numpy(), minlength=n_claims)
    patient = np.bincount(claim_pos, remits["_patient_share"].to_numpy(), minlength=n_claims)
    denied = np.bincount(claim_pos, remits["line_denied"].to_numpy(), minlength=n_claims)
    total = np.bincount(claim_pos, minlength=n_claims)
    status = np.where((denied == total) & (total > 0), "4", "1")
    return {"paid_amount": money(paid), "patient_responsibility": money(patient),
            "claim_status": status}
