"""Console scripts: argparse and one call into the package, nothing else."""
