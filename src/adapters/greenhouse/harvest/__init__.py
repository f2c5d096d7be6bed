"""Greenhouse Harvest v3 client: the ATS port on OAuth 2.0 client credentials, cursors and scopes."""
