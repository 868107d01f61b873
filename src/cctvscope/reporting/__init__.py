"""Reporting: tables, files, figures and the guide; it presents results and computes nothing."""
