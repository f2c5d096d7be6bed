"""Mechanics every bundled ATS sandbox needs the same way: the errors a state change raises, strict JSON
body checks, background web hook delivery, random faults, the request log and the app's frame, the web hook
half of the control API.

Nothing here knows an ATS: what an ATS says or does (its answers, payloads, signatures, ids, limits) stays
in that sandbox's own folder. The sandboxes import this package; it imports neither of them.
"""
