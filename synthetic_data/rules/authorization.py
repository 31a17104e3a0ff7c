"""Authorization edits: prior auth for the codes a payer lists, referrals for HMO members
(shared/domain §5, §10: MA and HMO prior auth for phototherapy, Mohs and buy-and-bill
biologics; Medicaid for phototherapy and biologics; COB referral on file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic_data.arrays import as_object, object_index
from synthetic_data.rules.base import Hit, Rule, everyone


def referral_absent(view) -> Hit:
    """The payer needs a referral on file (HMO) and the claim has none."""
    required = view.param("referral_required").astype(bool)
    on_file = view.flag("referral_on_file") == 1
    return Hit(claims=required & ~on_file)


def authorized_codes(view) -> np.ndarray:
    """Lines whose code the claim's prior authorization lists."""
    text = as_object(view.claims["prior_auth_cpt_codes"].fillna(""))
    has_number = pd.notna(as_object(view.claims["prior_auth_number"]))
    some = np.flatnonzero((text != "") & has_number)
    listed = [str(t).split() for t in text[some].tolist()]
    claim = np.repeat(some, [len(x) for x in listed]).astype(np.int64)
    codes = np.array([c for x in listed for c in x], dtype=object)
    keys = object_index(claim.astype(str).astype(object) + "|" + codes)
    line_keys = object_index(view.claim_pos.astype(str).astype(object) + "|" + view.cpt)
    return (keys.get_indexer(line_keys) >= 0) & view.to_lines(has_number)


def auth_missing(view) -> Hit:
    """A code on the payer's prior-auth list billed without an auth for that code (no
    auth at all, or an auth for a sibling code)."""
    needed = view.line_in_payer_list("prior_auth_codes")
    return Hit(lines=needed & ~authorized_codes(view))


RULES = (
    Rule(id="referral_missing", category="authorization", carc="CO-288", priority=30,
         fix="obtain_prior_auth", section="§10 COB referral on file; §6 (288 referral)",
         enforce=everyone(0.92), condition=referral_absent,
         description=referral_absent.__doc__ or ""),
    Rule(id="prior_auth_missing", category="authorization", carc="CO-197", rarc="N54",
         priority=32, fix="obtain_prior_auth", section="§5 prior authorization; §6 CO-197",
         enforce=everyone(0.95), condition=auth_missing,
         description=auth_missing.__doc__ or ""),
)
