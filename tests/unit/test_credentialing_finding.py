"""What the explanation says of a provider the payer denied for credentialing: the
enrolment learned in training, brought up to date by the practice's later remits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from features.standing import GAP, PAID, STANDING
from serving.describe_claim import credentialing, provider_text
from training.learned import Enrolment, LearnedLimits

NPI = "1235438896"


@dataclass
class View:
    """The parts of a serving ClaimView the credentialing texts read."""

    claim: dict[str, Any]
    learned: LearnedLimits
    values: dict[str, float] = field(default_factory=dict)

    def feature(self, name: str, default: float = float("nan")) -> float:
        return self.values.get(name, default)


def view(standing: float, paid_from: str | None) -> View:
    learned = LearnedLimits(enrolment={"COB": [Enrolment(
        npi=NPI, denied_before="2026-03-20", paid_from=paid_from, n_denied=7)]},
        n_claims={"COB": 4000})
    return View({"payer_id": "COB", "provider": {"rendering_npi": NPI}}, learned,
                {STANDING: standing})


def test_training_ended_in_the_gap_but_the_later_remits_show_a_payment():
    text = credentialing(view(PAID, None), None).text
    assert "denied 7 claims" in text and "paid since, by the practice's later remits" in text
    assert "none paid since" not in text
    assert "paid their claims after" in provider_text(view(PAID, None))


def test_still_in_the_gap_and_paid_within_training_say_so():
    assert credentialing(view(GAP, None), None).text.endswith("; none paid since")
    assert "denied their claims for credentialing" in provider_text(view(GAP, None))
    assert credentialing(view(PAID, "2026-04-02"), None).text.endswith(
        "; paid from 2026-04-02")
