"""Greenhouse Recruiting web hooks translated into the ATS port's neutral signals."""
