"""CLI: leads."""

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register this module's subcommands."""
