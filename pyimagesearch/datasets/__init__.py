"""Datasets: image files, the in-memory loader, the catalog and the offline datasets."""
