"""The payers' rules, written from shared/domain: one declarative entry per behaviour
(rules/base.py Rule), grouped by module, collected in REGISTRY.
"""
