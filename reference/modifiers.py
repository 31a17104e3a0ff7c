"""CPT/HCPCS modifiers a dermatology claim carries, with what each one says.

The contract accepts any well-formed 2-character modifier; the ones listed here are the
reference table (a modifier outside it is scored and listed in `unknown_codes`). Meanings
follow CPT Appendix A, CMS Claims Processing Manual ch. 12 §40 (global surgery) and the
NCCI policy manual (59/X{EPSU}, anatomic modifiers); shared/domain §2 and §11.
"""

from __future__ import annotations

MODIFIER_MEANINGS: dict[str, str] = {
    "22": "increased procedural services",
    "24": "unrelated E/M by the same physician during a postoperative period",
    "25": "significant, separately identifiable E/M on the day of a procedure",
    "26": "professional component",
    "50": "bilateral procedure",
    "51": "multiple procedures",
    "52": "reduced services",
    "57": "decision for surgery (E/M the day before or day of a 090-day procedure)",
    "58": "staged or related procedure by the same physician during the postoperative period",
    "59": "distinct procedural service",
    "76": "repeat procedure by the same physician",
    "77": "repeat procedure by another physician",
    "78": "unplanned return to the operating room for a related procedure in the global",
    "79": "unrelated procedure by the same physician during the postoperative period",
    "91": "repeat clinical diagnostic laboratory test",
    "95": "synchronous telemedicine service",
    "GA": "waiver of liability (ABN) on file",
    "GT": "via interactive audio and video telecommunication",
    "GY": "statutorily excluded or not a Medicare benefit",
    "GZ": "expected to be denied as not reasonable and necessary, no ABN",
    "KX": "requirements in the medical policy have been met",
    "TC": "technical component",
    "XE": "separate encounter",
    "XP": "separate practitioner",
    "XS": "separate structure or organ",
    "XU": "unusual non-overlapping service",
    "RT": "right side",
    "LT": "left side",
    "E1": "upper left eyelid", "E2": "lower left eyelid",
    "E3": "upper right eyelid", "E4": "lower right eyelid",
    "FA": "left hand, thumb", "F1": "left hand, second digit", "F2": "left hand, third digit",
    "F3": "left hand, fourth digit", "F4": "left hand, fifth digit",
    "F5": "right hand, thumb", "F6": "right hand, second digit",
    "F7": "right hand, third digit", "F8": "right hand, fourth digit",
    "F9": "right hand, fifth digit",
    "TA": "left foot, great toe", "T1": "left foot, second digit", "T2": "left foot, third digit",
    "T3": "left foot, fourth digit", "T4": "left foot, fifth digit",
    "T5": "right foot, great toe", "T6": "right foot, second digit",
    "T7": "right foot, third digit", "T8": "right foot, fourth digit",
    "T9": "right foot, fifth digit",
}

X_MODIFIERS: frozenset[str] = frozenset({"XE", "XS", "XP", "XU"})
LEFT_MODIFIERS: frozenset[str] = frozenset(
    {"LT", "E1", "E2", "FA", "F1", "F2", "F3", "F4", "TA", "T1", "T2", "T3", "T4"})
RIGHT_MODIFIERS: frozenset[str] = frozenset(
    {"RT", "E3", "E4", "F5", "F6", "F7", "F8", "F9", "T5", "T6", "T7", "T8", "T9"})
ANATOMIC_MODIFIERS: frozenset[str] = LEFT_MODIFIERS | RIGHT_MODIFIERS
# NCCI-associated modifiers that bypass a PTP edit with modifier indicator 1.
NCCI_BYPASS_MODIFIERS: frozenset[str] = frozenset({"59"} | X_MODIFIERS | ANATOMIC_MODIFIERS)
# Global-surgery modifiers (CMS Claims Processing Manual ch. 12 §40): which applies is a
# fact of the case; a wrong one is replaced, never stacked with another.
GLOBAL_MODIFIERS: frozenset[str] = frozenset({"24", "25", "57", "58", "78", "79"})
LIABILITY_MODIFIERS: frozenset[str] = frozenset({"GA", "GY", "GZ"})
MODIFIERS: frozenset[str] = frozenset(MODIFIER_MEANINGS)


def modifier_side(modifier: str) -> str:
    """'left', 'right' or '' for a modifier."""
    if modifier in LEFT_MODIFIERS:
        return "left"
    if modifier in RIGHT_MODIFIERS:
        return "right"
    return ""
