"""Front-end edits a payer runs first: eligibility, duplicates, timely filing, provider
enrolment and type, and its own clerical errors (shared/domain §6, §7, §10, §11).
"""

from __future__ import annotations

import numpy as np

from synthetic_data import hidden as hf
from synthetic_data.rules.base import Hit, Rule, archetypes, everyone
from synthetic_data.world.providers import ALWAYS, build_providers


def coverage_ended(view) -> Hit:
    """Coverage not active on the date of service: seen lapsed and billed anyway, or
    terminated without the front desk knowing (unverified, retroactive, churn). A lapse
    a check shows stops at a check made before submission: a claim that now records a
    check finding coverage active was verified again (the fix), and the practice bills
    the active plan; a retroactive termination passes any check."""
    lapse = np.asarray(view.hidden["coverage_terminated"]).astype(np.int64)
    found_by_check = (lapse == hf.LAPSE_FOUND) & ~hf.checked_active(view)
    return Hit(claims=np.ones(view.n, dtype=bool),
               scale=((lapse == hf.LAPSE_RETROACTIVE) | found_by_check).astype(float),
               scale_visible=hf.q_coverage_terminated(view))


def duplicate_submission(view) -> Hit:
    """The payer already has this claim (same member, date, services): the copy is
    denied as an exact duplicate. The practice's claim system knows what it sent before
    (history lines_billed_before); without that record only the lag hints at a copy."""
    billed = view.history("lines_billed_before")
    guess = hf.q_duplicate(view, view.late_share, view.duplicate_rate)
    return Hit(claims=view.frequency == "1",
               scale=view.hidden["duplicate"].astype(float),
               scale_visible=np.where(np.isnan(billed), guess, (billed > 0).astype(float)))


def past_filing_limit(view) -> Hit:
    """Lines submitted more than the payer's filing limit after their date of service
    (Medicare 365 days from the DOS, 42 CFR 424.44; others by contract)."""
    limit = view.param("filing_limit_days").astype(np.int64)
    lag = view.to_lines(view.submission) - view.dos
    return Hit(lines=lag > view.to_lines(limit))


def not_enrolled(view) -> Hit:
    """The rendering NPI was not enrolled with the payer on the date of service (the
    claim's credentialed flag is only what the front desk recorded)."""
    provs = build_providers(view.profile)
    start = int(np.datetime64(view.profile.start, "D").astype(np.int64))
    enrolled = np.where(provs.enrolled == ALWAYS, -(10**9), provs.enrolled + start)
    known = (view.provider >= 0) & (view.payer < len(view.profile.payers))
    day = np.full(view.n, -(10**9), dtype=np.int64)
    day[known] = enrolled[view.provider[known], view.payer[known]]
    return Hit(claims=known & (view.first_dos < day))


def nonphysician_mohs(view) -> Hit:
    """Mohs billed under an NP or PA: Mohs is for the MD/DO surgeon-pathologist
    (LCD L34961)."""
    provs = build_providers(view.profile)
    nonphys = np.where(view.provider >= 0, provs.nonphysician[np.maximum(view.provider, 0)],
                       False)
    return Hit(lines=(view.family == "mohs") & view.to_lines(nonphys))


def clerical_error(view) -> Hit:
    """The payer's own administrative error on a clean claim."""
    return Hit(claims=np.ones(view.n, dtype=bool),
               scale=view.hidden["admin_error"].astype(float),
               scale_visible=hf.q_admin_error(view))


RULES = (
    Rule(id="coverage_terminated", category="eligibility", carc="CO-27", priority=10,
         fix="verify_eligibility", section="§6 CO-27; §10 Medicaid eligibility churn",
         enforce=everyone(0.98), condition=coverage_ended, factor="coverage_terminated",
         curable=False, description=coverage_ended.__doc__ or ""),
    Rule(id="duplicate_claim", category="missing_information", carc="OA-18", priority=12,
         fix="not_fixable", section="§6 CO/OA-18 exact duplicate", enforce=everyone(0.97),
         condition=duplicate_submission, factor="duplicate", curable=False,
         description=duplicate_submission.__doc__ or ""),
    Rule(id="timely_filing", category="timely_filing", carc="CO-29", rarc="N211",
         priority=15, fix="not_fixable", section="§7 timely filing; §11 learned limits",
         enforce=everyone(1.0), condition=past_filing_limit, curable=False,
         description=past_filing_limit.__doc__ or ""),
    Rule(id="provider_not_enrolled", category="credentialing", carc="CO-185",
         carc_by_archetype={"medicare_ffs": "CO-B7", "medicare_advantage": "CO-B7"},
         priority=20, fix="credential_provider",
         section="§6 CO-185; §11 enrolment dates by rendering NPI", enforce=everyone(0.97),
         condition=not_enrolled, curable=False, description=not_enrolled.__doc__ or ""),
    Rule(id="nonphysician_mohs", category="credentialing", carc="CO-170", rarc="N95",
         priority=22, fix="not_fixable", section="§1 Mohs; §5 LCD L34961; §6 CO-170",
         enforce=archetypes(0.95, 0.95, 0.9, 0.85, 0.9, 0.6), condition=nonphysician_mohs,
         curable=False, description=nonphysician_mohs.__doc__ or ""),
    Rule(id="payer_clerical_error", category="missing_information", carc="CO-16",
         rarc="MA130", priority=25, fix="not_fixable",
         section="§6 CO-16 (payer-side processing error)", enforce=everyone(1.0),
         condition=clerical_error, factor="admin_error", curable=False,
         description=clerical_error.__doc__ or ""),
)
