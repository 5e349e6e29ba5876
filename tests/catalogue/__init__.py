"""Engines with known verdicts: a correct student engine, its buggy mutations, other styles."""
