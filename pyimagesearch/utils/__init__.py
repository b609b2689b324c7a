"""Utilities: distribution strategy, seeding, atomic writes, run folders, reports and plots."""
