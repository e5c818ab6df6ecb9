"""The `symderiv` command line: one argparse tree over every stage."""
from symderiv.cli.main import main

__all__ = ["main"]
