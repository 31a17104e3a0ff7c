"""X12 837P/835 reading and writing (pyx12-based) and the remittance-history ingest.

Public entry points: claims837.parse_837p / read_837p_file, remit835.parse_835 /
read_835, labels.remit_outcome, ingest.ingest (report: ingest_report.IngestReport),
writer.write_837p / write_835 / write_x12_files, payer_map; interop.fhir maps FHIR Claims
and interop.history keeps the practice's history store.
Reading: reader (tokenizing, ST/SE checks), segments837/build837/drafts (837P mapping),
outcomes (which CAS are denials; remit rows), labels (outcome columns, vectorised).
Ingest: batches (one file -> rows), reading (phase 1, reader processes), spool
(partitions on disk), events (claim events, remit matching), assemble (one partition),
templates, progress. Writing: numbering (CLM01, payer claim numbers, ingest ids),
writer837, remit_plan + writer835, envelope. validation/results: shared result types;
fhir_elements; samples (where ../shared/x12 lives). Importing this package does no work.
"""
