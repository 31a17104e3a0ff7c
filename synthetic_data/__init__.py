"""Synthetic dermatology claim histories: a practice's world, its payers' rules, and the
exact truth of every answer.

  profiles/      practices (demo: the six contract payers; valley: a 4-payer practice
                 with its own payer ids, rules and habits)
  world/         patients with timelines -> visits (biopsy -> pathology -> excision or
                 Mohs -> re-excision, complications, post-op visits) -> lines coded from
                 the lesion's truth with the practice's habits as errors -> documentation,
                 front desk -> the claims the practice sends (world/claims.py)
  events.py      duplicate submissions; corrections.py corrected claims (frequency 7)
  rules/         the payers' rules, written from shared/domain, one entry per behaviour
  hidden.py      factors no claim shows, drawn conditionally on the visible claim
  adjudicate.py  exact oracle (full and claim-only) + sampled outcome; true_risk
                 re-adjudicates any contract claims; cures.py is each rule's own fix
  remits.py      835 amounts; outcomes.py the outcome columns
  block.py       one block of patients end to end; generate.py the entry points

Imports only numpy, pandas, pyarrow, pydantic, the standard library, reference/ and
contract/ (tests/unit/test_generator_imports.py).
"""
