"""Facts shared by every part, each defined once: CMS tables, code families, ICD-10-CM,
linkage (LCD) lists, CARC/RARC and reason vocabulary, payer ids, modifier meanings.

Data and lookups only: nothing here decides whether a claim is denied, and nothing here
imports another package of ours. Importing it does no work (tables load on first use).
"""
