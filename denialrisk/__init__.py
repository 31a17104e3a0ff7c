"""denialrisk: pre-submission denial-risk scoring for dermatology claims."""
