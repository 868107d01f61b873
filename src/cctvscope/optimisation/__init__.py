"""Optimisation models (HiGHS): each built, solved and read back in separate steps."""
