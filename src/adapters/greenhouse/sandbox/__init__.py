"""A stand-in for Greenhouse (Harvest v3 and Recruiting web hooks) for the demo and the tests; not Greenhouse."""
