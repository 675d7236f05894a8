"""Typer command-line interface: thin shells over the domain packages."""
