"""Reporting: tables, files, figures and the guide. Presents results; computes nothing of its own."""
