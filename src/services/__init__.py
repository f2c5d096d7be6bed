"""Use cases: the handlers, the message bus, the worker, on the ports alone."""
