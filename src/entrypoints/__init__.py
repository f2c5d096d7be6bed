"""Entry points: the HTTP app, the worker and the command line; the only place that wires things."""
