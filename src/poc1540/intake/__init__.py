"""From raw files to tidy tables: schemas, validation, country names, importers, listings, prepare (validate and prepare stages)."""
