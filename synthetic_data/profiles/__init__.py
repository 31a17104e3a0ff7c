"""Practice profiles: who the practice bills (payers and their behaviour), who renders
(providers, enrolment dates), how its staff codes and submits (habits), and when.

A profile is data (profiles/model.py); `get_profile(name)` returns one of PROFILES.
"""
