"""The Starlette app: ingress, the API for Intrro and operators, health and metrics."""
