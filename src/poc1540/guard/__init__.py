"""The confidentiality guard stage: scan every published output for anything that could reveal a respondent."""
