"""X12 837P/835 reading and writing (pyx12-based) and the remittance-history ingest.

Public entry points: claims837.parse_837p / read_837p_file, remit835.parse_835 /
read_835, ingest.ingest, writer.write_837p / write_835 / write_x12_files, payer_map,
outcomes (CARC -> category via carc_categories.csv); interop.fhir maps FHIR Claims.
Helpers: reader (tokenizing, ST/SE checks), segments837/build837 (837P mapping),
envelope/writer837/writer835 (output), validation/results (shared result types),
fhir_elements, samples (where ../shared/x12 lives). Importing this package does no work.
"""
