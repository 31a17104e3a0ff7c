"""A recode into a service payers put under prior authorization asks for the
authorization of the code it bills.

Recoding Mohs on the scalp from 17313 (trunk, arms, legs) to 17311 (head, neck, hands,
feet, genitalia) bills a code many plans authorize and 17313 is not: the corrected claim
is denied for no authorization (CO-197) unless the authorization names 17311. The same
holds when the authorization on file names the old code. So a recode whose new code is
in a prior-auth family (reference/families.PRIOR_AUTH_FAMILIES) that the claim's
authorization does not list gets a second variant: the recode with "obtain prior
authorization for the new code" made with it. Both are re-scored; the variant is kept
when it lowers the risk further (this payer's learned habit) or when the model names
authorization a likely reason for the claim's denial (the recode alone leaves that gap
open), and then replaces the recode alone, so a coder sees one fix for one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reference.codes import load_code_table
from reference.families import PRIOR_AUTH_FAMILIES
from serving.candidates import Candidate
from serving.edits import prior_auth


@dataclass
class Variants:
    """Edited claims with the authorization variants appended (same order as owners),
    their follow-ups and coding findings, and variant position -> its recode's."""

    edited: list[dict[str, Any]]
    owners: list[tuple[int, Candidate]]
    found: list[Any]
    follow: dict[int, list[Candidate]]
    base_of: dict[int, int]


def new_codes(changes: list[Candidate]) -> list[str]:
    """The codes recodes bill (a primary's and its add-on's: 17311 and 17312)."""
    found = [str(x.value).upper() for c in changes if c.action == "change_code"
             for x in (c, *c.also) if getattr(x, "value", None)]
    return list(dict.fromkeys(found))


def authorization_for(codes: list[str], claim: dict[str, Any]) -> Candidate | None:
    """obtain_prior_auth for the codes among `codes` in a prior-auth family that the
    claim's authorization does not list (None when there are none)."""
    family = load_code_table().frame["family"]
    listed = set((claim.get("prior_authorization") or {}).get("cpt_codes") or [])
    wanted = [c for c in codes if family.get(c) in PRIOR_AUTH_FAMILIES and c not in listed]
    if not wanted:
        return None
    on_file = f" (the authorization on file lists {', '.join(sorted(listed))})" \
        if listed else ""
    return Candidate("obtain_prior_auth", "pa_missing", f"Obtain prior authorization for "
                     f"{', '.join(wanted)}, the code(s) the service is billed under{on_file}, "
                     "before submitting.", value=",".join(wanted))


def authorization_needed(cand: Candidate, claim: dict[str, Any]) -> Candidate | None:
    """The obtain_prior_auth change a recode makes necessary (None when no new code is in
    a prior-auth family or the claim's authorization already lists them)."""
    return authorization_for(new_codes([cand]), claim)


def authorize_recodes(chosen: list[tuple[Candidate, float]], claim: dict[str, Any]
                      ) -> list[tuple[Candidate, float]]:
    """Changes made together, the authorization among them asked for the codes billed
    after the recodes among them: obtain prior auth for 17313 beside 17313 -> 17311 asks
    for 17311 (and any old code no recode changed). Whether this payer wants the
    authorization at all was verified when that change was (the model's risk after)."""
    recoded = new_codes([c for c, _ in chosen])
    if not recoded or not any(c.action == "obtain_prior_auth" for c, _ in chosen):
        return chosen
    lines = {int(ln["line"]): str(ln["cpt"]).upper() for ln in claim["lines"]}
    replaced = {lines.get(x.line) for c, _ in chosen if c.action == "change_code"
                for x in (c, *c.also)}
    out = []
    for c, p in chosen:
        if c.action == "obtain_prior_auth":
            kept = [v for v in str(c.value).split(",") if v and v not in replaced]
            c = authorization_for(list(dict.fromkeys(kept + recoded)), claim) or c
        out.append((c, p))
    return out


def with_authorizations(edited: list[dict[str, Any]], owners: list[tuple[int, Candidate]],
                        found: list[Any], follow: dict[int, list[Candidate]],
                        asks: list[bool] | None = None) -> Variants:
    """The edited claims plus, for each recode that needs one, the variant with the
    authorization obtained (its follow-ups: the recode's, then the authorization).
    `asks[i]`: claim i's payer asks for prior authorization at all (its learned habit);
    no variant for a payer that does not."""
    out = Variants(list(edited), list(owners), list(found), dict(follow), {})
    for k, (i, cand) in enumerate(owners):
        auth = authorization_needed(cand, edited[k]) if asks is None or asks[i] else None
        if auth is None:
            continue
        out.base_of[len(out.edited)] = k
        out.edited.append({**prior_auth(edited[k], auth),
                           "claim_id": f"{edited[k]['claim_id']}+auth"})
        out.owners.append((i, cand))
        out.found.append(found[k])
        out.follow[len(out.edited) - 1] = [*follow.get(k, []), auth]
    return out


def dropped(base_of: dict[int, int], risk: np.ndarray, min_gain: float,
            wanted: set[int] = frozenset()) -> set[int]:
    """Positions not to offer: a variant that lowers the risk no further than its recode
    alone, else the recode alone. A variant in `wanted` (its claim's payer is likely to
    deny it for no authorization, by the model's reasons) is kept whatever the model
    thinks of the recode alone: the recode leaves the authorization gap where it was."""
    out = set()
    for variant, base in base_of.items():
        keep = variant in wanted or risk[variant] < risk[base] - min_gain
        out.add(base if keep else variant)
    return out
