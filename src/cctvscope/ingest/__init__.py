"""Ingest: loaders of the bundled real data, import of user files with validation,
and the calibrated synthetic estate."""
