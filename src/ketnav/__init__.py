"""Ketamine Navigator: a local-first guide, trial finder and treatment toolkit."""

__version__ = "0.1.0"
