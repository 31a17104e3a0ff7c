"""What a payer's own remits say it asks for, learned from the history the model was
trained on (training.learned.LearnedLimits): a fix that obtains a referral or a prior
authorization is offered only for a payer that denied claims for lacking one (or whose
history is unknown), never on the model's noise alone.
"""

from __future__ import annotations

from serving.context import ClaimView

MIN_PA_HABIT_SHARE = 0.01  # of the claims without the authorization a code needs
MIN_PA_HABIT_DENIALS = 2


def authorization_habit(view: ClaimView) -> bool:
    """The payer denied claims for a missing prior authorization in the history the
    model learned from (at least MIN_PA_HABIT_DENIALS, and MIN_PA_HABIT_SHARE of the
    claims that lacked one), or that history is unknown: traditional Medicare, which
    authorizes no office dermatology service, gets no "obtain prior authorization" fix,
    nor a recode made with one."""
    learned = view.learned
    payer = str(view.claim.get("payer_id"))
    if learned is None or not learned.pa_gap_claims.get(payer):
        return True
    denials = learned.pa_gap_denials.get(payer, 0)
    return denials >= max(MIN_PA_HABIT_DENIALS,
                          MIN_PA_HABIT_SHARE * learned.pa_gap_claims[payer])


def referral_habit(view: ClaimView) -> bool:
    """The payer denied claims for a missing referral in the history the model learned
    from (or that history is unknown): a plan that never asks for one (traditional
    Medicare) gets no "obtain the referral" fix, whatever noise the model shows."""
    learned = view.learned
    payer = str(view.claim.get("payer_id"))
    if learned is None or payer not in learned.referral_denials:
        return True
    return learned.referral_denials[payer] > 0
