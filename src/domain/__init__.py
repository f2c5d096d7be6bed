"""The gateway's pure core: jobs, introductions, applications and their status rules.

Standard library only: no I/O, no clock (times come in as values), no logging (the core returns events).
"""
