"""Interchange with claim systems: X12 837P/835 (pyx12) and FHIR R4 Claim, and the ingest of
a practice's remittance history into a data set. Built on reference/ and contract/.
"""
