"""Greenhouse: the Harvest v3 client, the Recruiting web hook translator and the bundled sandbox."""
