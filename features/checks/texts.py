"""Every rule's variants: severity, fix action, claim-language text and source.

Texts are format strings over the hit's facts ({line}, {code}, {value}, {old}, {units},
the fields a check records) and the render-time facts of features.checks.render
({dx_desc}, {old_desc}, {value_desc}, {mue_text}, {earlier_global} and the CMS releases
{ptp}, {mue}, {mpfs}, {icd}). Categories are the contract's reason vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    severity: str  # "error" | "warning"
    action: str | None
    text: str
    source: str


@dataclass(frozen=True)
class Rule:
    category: str
    variants: tuple[Variant, ...]


def E(action, text, source):  # noqa: N802 - table shorthand
    return Variant("error", action, text, source)


def W(action, text, source):  # noqa: N802
    return Variant("warning", action, text, source)


ICD_SRC = "{icd} {dx}: {dx_desc}; shared/domain §11"
CPT_SRC = "CPT descriptor {value}: {value_desc} (billed {old}: {old_desc})"
GLOBAL_SRC = ("CMS Claims Processing Manual ch. 12 §40 (modifier {mod}); {earlier_global}; "
              "shared/domain §2, §11")
PTP_SRC = "{ptp}: {col1}/{col2}, modifier indicator {mi}"
LCD_SRC = ("LCD L35498/L34200 (benign skin lesion removal), NCD 250.4 (actinic keratosis), "
           "diagnosis lists of reference/linkage.py; shared/domain §4")
AK_SRC = "CPT 17000-17004 descriptors; {mue_text}; shared/domain §1, §3"
BIOPSY_SRC = "CPT 2019 biopsy guidelines (11102-11107: one primary per session); shared/domain §1"
M25_SRC = ("CMS Claims Processing Manual ch. 12 §30.6.6 (modifier 25); NCCI Policy Manual "
           "ch. XI; shared/domain §2")
M57_SRC = "CMS Claims Processing Manual ch. 12 §40 (modifier 57); shared/domain §2"
X_SRC = "CMS CR 8863 (modifiers XE/XS/XP/XU); NCCI Policy Manual ch. I (modifier 59); " \
        "shared/domain §2"

RULES: dict[str, Rule] = {
    "dx_side_mismatch": Rule("diagnosis_mismatch", (
        E("link_diagnosis", "Line {line} ({code}) treats a {side} lesion but points to {dx} "
          "({dx_side} side): point it to {value}, the {side}-side diagnosis on the claim.",
          ICD_SRC),
        W(None, "Line {line} ({code}) treats a {side} lesion but points to {dx} ({dx_side} "
          "side) and the claim has no {side}-side diagnosis for it: correct the diagnosis "
          "from the chart (never point the line to another side's code).", ICD_SRC),
        W("link_diagnosis", "Line {line} ({code}) treats a {side} lesion but points to {dx} "
          "({dx_side} side) and the claim has no {side}-side diagnosis for it: if the chart "
          "puts the lesion on the {side}, code {value} ({value_desc}) for this line.",
          ICD_SRC))),
    "side_modifier_mismatch": Rule("modifier", (
        E("replace_modifier", "Line {line} ({code}) carries {old} but the lesion is on the "
          "{side}: replace {old} with {value}.",
          "NCCI anatomic modifiers ({old}: {old_meaning}); shared/domain §2, §11"),
        E("replace_modifier", "Line {line} ({code}) carries {old} but its diagnosis {dx} is "
          "{side}-side: replace {old} with {value} (if the chart puts the lesion on the "
          "other side, correct the diagnosis instead).", ICD_SRC))),
    "dx_site_mismatch": Rule("diagnosis_mismatch", (
        E("link_diagnosis", "Line {line} ({code}) treats a lesion of the {site} but points "
          "to {dx} ({dx_desc}): point it to {value}, the diagnosis on the claim for that "
          "site.", ICD_SRC),
        W(None, "Line {line} ({code}) treats a lesion of the {site} but points to {dx} "
          "({dx_desc}) and no diagnosis on the claim describes it: correct the diagnosis or "
          "the lesion site from the chart.", ICD_SRC),
        W("link_diagnosis", "Line {line} ({code}) treats a lesion of the {site} but points "
          "to {dx} ({dx_desc}) and no diagnosis on the claim describes it: if the chart's "
          "lesion record is right, code {value} ({value_desc}) for this line.", ICD_SRC))),
    "dx_side_unspecified": Rule("diagnosis_mismatch", (
        W("link_diagnosis", "Line {line} ({code}) points to {dx} (side unspecified) for a "
          "{side} lesion: code the side, {value}.", ICD_SRC),
        W(None, "Line {line} ({code}) points to {dx} (side unspecified) for a {side} "
          "lesion: code the side from the chart.", ICD_SRC))),
    "side_modifier_missing": Rule("modifier", (
        W("add_modifier", "Line {line} ({code}) treats a {side} {site} lesion without a side "
          "modifier: add {value} (payers that require RT/LT or anatomic modifiers deny it).",
          "NCCI anatomic modifiers RT/LT, E1-E4, FA-F9, TA-T9; shared/domain §2, §11"),)),
    "code_site_group": Rule("diagnosis_mismatch", (
        E("change_code", "Line {line} bills {old} ({old_desc}) for a lesion of the {site}: "
          "the code for that site and size is {value}.", CPT_SRC),
        E("change_code", "Line {line} bills {old} ({old_desc}) but its diagnosis {dx} "
          "places the lesion elsewhere: the code for that site and size is {value}.",
          CPT_SRC + "; {icd} {dx}: {dx_desc}"))),
    "code_pathology": Rule("diagnosis_mismatch", (
        E("change_code", "Line {line} bills the benign excision {old} but points to the "
          "malignant diagnosis {dx}: excision of a malignant lesion (by pathology) is {value}.",
          "CPT 11400-11646 (benign vs malignant by pathology); {icd} {dx}: {dx_desc}"),
        E("change_code", "Line {line} bills the malignant excision {old} but points only to "
          "benign diagnoses ({dx}): by pathology the code is {value}.",
          "CPT 11400-11646 (benign vs malignant by pathology); {icd} {dx}: {dx_desc}"))),
    "code_size_band": Rule("missing_information", (
        E("change_code", "Line {line} bills {old} ({old_desc}) but the excised diameter "
          "(lesion + 2 x margin) is {size} cm: {value}.", CPT_SRC),
        E("change_code", "Line {line} bills {old} ({old_desc}) but the lesion diameter is "
          "{size} cm: {value}.", CPT_SRC))),
    "code_mohs_site": Rule("diagnosis_mismatch", (
        E("change_code", "Line {line} bills {old} (Mohs, trunk/arms/legs) for a head, neck, "
          "hand, foot or genital lesion: {value}.", "CPT descriptors 17311-17314"),
        W("change_code", "Line {line} bills {old} (Mohs, head/neck/hands/feet/genitalia) for "
          "a trunk/arm/leg lesion: {value}, unless the surgery involved muscle, cartilage, "
          "bone, tendon, major nerves or vessels.", "CPT descriptors 17311-17314"))),
    "ak_15_plus": Rule("units", (
        E("change_code", "The claim bills 17000 + 17003 for {n} actinic keratoses: 15 or more "
          "are one unit of 17004, which describes every lesion. Change line {line} to 17004 "
          "x1; {removed} goes with the recode (17004 is never payable with 17000/17003).",
          AK_SRC + "; {ptp}: 17004/17003, modifier indicator 0"),)),
    "ak_17004_count": Rule("units", (
        E("change_code", "Line {line} bills 17004 (15 or more lesions) for {n} lesion: "
          "17000.", AK_SRC),
        E("change_code", "Line {line} bills 17004 (15 or more lesions) for {n} lesions: bill "
          "17000 x1 and 17003 x{addon_units}.", AK_SRC))),
    "ak_first_units": Rule("units", (
        E("change_units", "Line {line} bills 17000 x{units_billed}: 17000 is the first lesion "
          "only; bill 17000 x1 and the other {addon_units} lesion(s) as units of 17003 "
          "(lesions 2-14).", AK_SRC),)),
    "benign_destruction_count": Rule("units", (
        E("change_code", "Line {line} bills 17110 (up to 14 lesions) for {n} benign lesions: "
          "17111 x1 describes 15 or more.", "CPT 17110/17111 descriptors; {mue_text}"),
        E("change_code", "Line {line} bills 17111 (15 or more lesions) for {n}: 17110 x1.",
          "CPT 17110/17111 descriptors; {mue_text}"))),
    "intralesional_count": Rule("units", (
        E("change_code", "Line {line} bills 11900 (up to 7 lesions) for {n} lesions: 11901 "
          "x1.", "CPT 11900/11901 descriptors; {mue_text}"),
        E("change_code", "Line {line} bills 11901 (more than 7 lesions) for {n}: 11900 x1.",
          "CPT 11900/11901 descriptors; {mue_text}"))),
    "per_session_units": Rule("units", (
        E("change_units", "Line {line} bills {code} x{units_billed}: its descriptor counts "
          "the lesions of the session, so it is one unit (nothing is under-coded).",
          "CPT descriptor {code}; {mue_text}; shared/domain §3"),
        E("change_units", "Line {line} bills 11200 x{units_billed}: 11200 is up to 15 skin "
          "tags, one unit; each further 10 tags is a unit of 11201.",
          "CPT 11200/11201 descriptors; shared/domain §1"))),
    "biopsy_primary_twice": Rule("bundling", (
        E("change_code", "Line {line} bills a second biopsy primary {old}: one primary per "
          "session (line {kept_line}, the highest-valued technique); every other biopsy is "
          "its technique's add-on: {value}.", BIOPSY_SRC),)),
    "biopsy_primary_units": Rule("units", (
        E("change_units", "Line {line} bills {code} x{units}: one primary per session "
          "({mue_text}); bill {code} x1 and the other {addon_units} biopsy(ies) as units of "
          "{addon}.", BIOPSY_SRC),)),
    "addon_without_primary": Rule("bundling", (
        E("change_code", "Line {line} bills the add-on {code} without its primary code: the "
          "first lesion is {value}.", "NCCI add-on code edits 2024Q3; CPT add-on rules"),
        E(None, "Line {line} bills the add-on {code} x{units} without {primary}: bill "
          "{primary} x1 for the first lesion and {code} x{addon_units}.",
          "NCCI add-on code edits 2024Q3; CPT add-on rules"),
        E("remove_line", "Line {line} bills {code} without an office/outpatient E/M: it is an "
          "add-on to the visit and not billable alone.", "CMS MLN G2211; shared/domain §1"),
        E("change_code", "Line {line} bills the add-on {code} x{units} without its primary: "
          "the first lesion is {value} x1, the other {addon_units} stay units of {code}.",
          "NCCI add-on code edits 2024Q3; CPT add-on rules"))),
    "em_in_global": Rule("global_period", (
        E("add_modifier", "E/M on line {line} falls {days} days into the {glob}-day global of "
          "{earlier} and evaluates a problem that surgery did not treat: add 24.",
          GLOBAL_SRC.replace("{mod}", "24")),
        W("remove_line", "E/M on line {line} falls {days} days into the {glob}-day global of "
          "{earlier} for the same problem: the post-op visit is part of the surgical package "
          "and not separately billable (some payers want 99024 at no charge).",
          GLOBAL_SRC.replace("{mod}", "24")),
        W("add_modifier", "E/M on line {line} falls {days} days into a {glob}-day global "
          "period: add 24 only if the visit is unrelated to that surgery; a post-op visit is "
          "not billable.", GLOBAL_SRC.replace("{mod}", "24")),
        W("remove_line", "E/M on line {line} carries 24 but points to surgical aftercare: a "
          "post-op visit in the {glob}-day global of {earlier} is not separately billable.",
          GLOBAL_SRC.replace("{mod}", "24")))),
    "procedure_in_global": Rule("global_period", (
        E("add_modifier", "Line {line} ({code}) treats the same problem as {earlier} ({days} "
          "days ago, {glob}-day global): a staged or more extensive procedure (re-excision) "
          "takes 58; add it.", GLOBAL_SRC.replace("{mod}", "58")),
        E("replace_modifier", "Line {line} ({code}) carries 79 but treats the same problem "
          "as {earlier} ({days} days ago): a staged or more extensive procedure "
          "(re-excision) takes 58; replace 79 with 58.", GLOBAL_SRC.replace("{mod}", "58")),
        E("add_modifier", "Line {line} ({code}) falls {days} days into the {glob}-day global "
          "of {earlier} and treats an unrelated problem: add 79.",
          GLOBAL_SRC.replace("{mod}", "79")),
        E("replace_modifier", "Line {line} ({code}) carries 58 but its diagnoses are "
          "unrelated to {earlier}: replace 58 with 79.", GLOBAL_SRC.replace("{mod}", "79")),
        W("add_modifier", "Line {line} ({code}) treats a complication of {earlier} inside its "
          "global: 78 if it was an unplanned return to the procedure room.",
          GLOBAL_SRC.replace("{mod}", "78")),
        W("add_modifier", "Line {line} ({code}) falls {days} days into the {glob}-day global "
          "of {earlier}: add 79 if unrelated (58 if staged or planned).",
          GLOBAL_SRC.replace("{mod}", "79")),
        W("replace_modifier", "Line {line} ({code}) carries 79 but treats a complication of "
          "{earlier} ({days} days ago): a return to the procedure room for it takes 78 "
          "(replace 79); treated in the office, it is part of the global package.",
          GLOBAL_SRC.replace("{mod}", "78")),
        W("replace_modifier", "Line {line} ({code}) carries 79 {days} days after {earlier}, "
          "whose code does not say which lesion it closed, for a diagnosis that surgery "
          "treats: if it is the same lesion (staged or more extensive), replace 79 with 58; "
          "79 stands only for another lesion.", GLOBAL_SRC.replace("{mod}", "58")),
        W("add_modifier", "Line {line} ({code}) falls {days} days into the {glob}-day global "
          "of {earlier}, whose code does not say which lesion it closed, and treats a "
          "diagnosis that surgery treats: the same lesion (staged or more extensive: "
          "re-excision) takes 58; add it (79 only if it is another lesion).",
          GLOBAL_SRC.replace("{mod}", "58")))),
    "modifier_57_for_090": Rule("modifier", (
        E("replace_modifier", "E/M on line {line} is the decision visit for a 090-day "
          "surgery (that day or the next): replace 25 with 57.", M57_SRC),
        W("add_modifier", "E/M on line {line} precedes a 090-day surgery (that day or the "
          "next): add 57 if this visit made the decision for surgery; otherwise it is part "
          "of the global package.", M57_SRC),
        E("remove_modifier", "E/M on line {line} carries both 25 and 57 before a 090-day "
          "surgery: 57 is the right one; remove 25 (never stack them).", M57_SRC))),
    "modifier_57_minor": Rule("modifier", (
        E("replace_modifier", "E/M on line {line} carries 57, which is for 090-day surgery; "
          "the same-day procedures are minor (000/010 globals, injections, phototherapy): "
          "replace 57 with 25.", M57_SRC),
        E("remove_modifier", "E/M on line {line} carries both 25 and 57 with minor "
          "procedures only: 25 is the right one; remove 57 (never stack them).", M57_SRC))),
    "modifier_25_not_em": Rule("modifier", (
        E("remove_modifier", "Line {line} ({code}) is not an E/M: 25 applies only to "
          "evaluation and management; remove it.", M25_SRC),)),
    "modifier_25_no_procedure": Rule("modifier", (
        W("remove_modifier", "E/M on line {line} carries 25 but the claim has no procedure "
          "that day: remove 25 (unless the procedure is billed on another claim).", M25_SRC),)),
    "em_without_25": Rule("modifier", (
        W("add_modifier", "E/M on line {line} is billed with a same-day minor procedure "
          "(000/010 global, or an NCCI edit bundling the E/M) without 25: add 25 if the "
          "note documents a significant, separately identifiable E/M; otherwise the visit "
          "is included in the procedure.", M25_SRC),
        W("remove_line", "E/M on line {line} is billed with a same-day minor procedure and "
          "the claim has no separate E/M note: the visit (and the decision to operate) is "
          "included in the procedure payment.", M25_SRC))),
    "g2211_with_25": Rule("bundling", (
        W("remove_line", "G2211 on line {line} is billed with a modifier-25 E/M: CMS does not "
          "pay G2211 then (since 2025 only when that day also has an annual wellness visit, "
          "vaccine or Part B preventive service).",
          "CMS CY2024/CY2025 PFS final rules (G2211); shared/domain §1"),)),
    "modifier_59_with_x": Rule("modifier", (
        E("remove_modifier", "Line {line} ({code}) carries both 59 and an X modifier: the X "
          "modifier is the specific one; remove 59.", X_SRC),)),
    "modifier_59_prefer_x": Rule("modifier", (
        W("replace_modifier", "Line {line} ({code}) marks a separate lesion with 59: XS "
          "(separate structure) says it precisely; payers that require X deny 59.", X_SRC),)),
    "ptp_mi0": Rule("bundling", (
        E("remove_line", "{col2} on line {line} is never payable with {col1} on line "
          "{partner}{bypassed}: {col1} describes it; remove line {line}.", PTP_SRC),
        E("remove_line", "{col2} on line {line} is never payable with {col1} on line "
          "{partner}{bypassed}: the nurse visit is part of the treatment; remove it.", PTP_SRC),
        E("remove_line", "Two E/M visits the same day (lines {partner} and {line}){bypassed}: "
          "bill one E/M at the level of the whole visit; remove line {line}.", PTP_SRC),
        E(None, "Repairs {col1} (line {partner}) and {col2} (line {line}) are never payable "
          "together{bypassed}: add the lengths of repairs of one class in one site group and "
          "bill one code.", PTP_SRC + "; CPT repair guidelines"))),
    "ptp_unbypassed": Rule("bundling", (
        E("add_modifier", "{col2} on line {line} and {col1} on line {partner} are an NCCI "
          "pair on different lesions: add XS to line {line}.", PTP_SRC),
        E("remove_line", "The repair {col2} on line {line} closes the wound of {col1} on line "
          "{partner}: it is included in that procedure; remove line {line}.", PTP_SRC),
        E("remove_line", "The biopsy {col2} on line {line} is of the lesion removed by {col1} "
          "on line {partner}: included in the removal; remove line {line} (if it was another "
          "lesion, record it as distinct and add XS).", PTP_SRC + "; shared/domain §3"),
        W(None, "{col2} on line {line} with Mohs {col1} (line {partner}): payable (with 59) "
          "only as a diagnostic biopsy with no prior pathology, or on another lesion.",
          PTP_SRC + "; shared/domain §3"),
        W(None, "{col2} on line {line} and {col1} on line {partner} are an NCCI pair on the "
          "same lesion: {col2} is bundled unless it treated a distinct lesion (record it and "
          "add XS).", PTP_SRC),
        E("remove_line", "The excision {col2} on line {line} is included in the adjacent "
          "tissue transfer {col1} on line {partner} (CPT 14000-14061 include the excision of "
          "the lesion): remove line {line} (if it was another lesion, record it as distinct "
          "and add XS).", PTP_SRC + "; CPT 14000-14061 descriptor"),
        E("remove_line", "{col2} on line {line} beside Mohs {col1} (line {partner}) with no "
          "biopsy that day: the Mohs surgeon is the pathologist, so the pathology of the "
          "Mohs specimens is included in Mohs; remove line {line} (a same-day diagnostic "
          "biopsy with no prior pathology is billed with its 88305 and 59).",
          PTP_SRC + "; CPT 17311-17315 descriptor; shared/domain §3"))),
    "ptp_bypass_not_distinct": Rule("bundling", (
        W(None, "Line {line} ({col2}) bypasses the NCCI pair with {col1} (line {partner}) but "
          "both lesion records name the same site and no distinct lesion: record the "
          "distinct lesion or the service is bundled.", PTP_SRC),
        W("remove_line", "Line {line} ({col2}) bypasses the NCCI pair with {col1} (line "
          "{partner}) but both lesion records name the same site and no distinct lesion: "
          "if it is the same lesion's wound or biopsy it is included; remove line {line} "
          "(else record the distinct lesion).", PTP_SRC))),
    "dx_not_supporting": Rule("diagnosis_mismatch", (
        E("link_diagnosis", "Line {line} ({code}) points to {dx}, which does not support "
          "{family_text}; {value} on the claim does and describes this lesion: point the "
          "line to {value}.", LCD_SRC),
        W(None, "Line {line} ({code}) points to {dx}, which does not support {family_text}, "
          "and no diagnosis on the claim does: check the diagnosis in the chart.", LCD_SRC))),
    "screening_dx_only": Rule("diagnosis_mismatch", (
        E("link_diagnosis", "Line {line} ({code}) points only to the screening code {dx}: "
          "point it to {value}, the finding that made it necessary.",
          "shared/domain §4 (Z12.83 screening; Medicare does not cover skin-cancer "
          "screening)"),
        W(None, "Line {line} ({code}) points only to the screening code {dx}: Medicare does "
          "not cover skin-cancer screening; bill it with the diagnosis from the chart or to a "
          "plan that covers screening.", "shared/domain §4 (Z12.83 screening)"),
        W("link_diagnosis", "Visit on line {line} ({code}) points only to the screening code "
          "{dx}: point it to {value}, the finding evaluated (Medicare does not cover "
          "skin-cancer screening; some plans cover a preventive exam).",
          "shared/domain §4 (Z12.83 screening)"))),
    "symptoms_not_documented": Rule("medical_necessity", (
        W("attach_documentation", "Line {line} ({code}) removes a lesion coded {dx}, which "
          "the benign-lesion LCDs cover only with documented symptoms (bleeding, itching, "
          "inflammation, change): attach that documentation if the chart has it; otherwise "
          "the removal is cosmetic.", LCD_SRC),)),
    "drug_ndc_missing": Rule("missing_information", (
        W("attach_documentation", "Drug line {line} ({code}) has no NDC: add the drug's "
          "11-digit NDC (837P LIN*N4) and {quantity}.",
          "shared/domain §11 (NDC in 837P loop 2410; Medicaid DRA 2005, RARC M119)"),)),
}
