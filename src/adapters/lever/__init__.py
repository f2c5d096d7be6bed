"""Lever: the ATS port on Lever's Data API (`api/`) and Lever's web hooks (`webhooks/`)."""
