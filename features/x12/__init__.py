"""X12 837P/835 reading and writing (pyx12-based) and the remittance-history ingest.

Modules: reader (tokenizing, envelope checks), claims837 (parse_837p), remit835
(parse_835), outcomes (remit -> denial labels via carc_categories.csv), ingest, writer
(write_837p / write_835 / write_x12_files), payer_map. Importing this package does no work.
"""
