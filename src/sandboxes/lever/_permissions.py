"""Per-endpoint API key permissions: a Lever super admin ticks, per key, the endpoints it may call.

A permission is the endpoint as Lever's reference names it, e.g. `GET /opportunities/:id`; a key lacking
one gets `403` on that endpoint only.
"""

from __future__ import annotations

ENDPOINTS: tuple[str, ...] = (
    "GET /users",
    "GET /users/:id",
    "GET /postings",
    "GET /postings/:id",
    "GET /stages",
    "GET /stages/:id",
    "GET /archive_reasons",
    "GET /archive_reasons/:id",
    "GET /sources",
    "GET /tags",
    "GET /opportunities",
    "GET /opportunities/:id",
    "GET /opportunities/deleted",
    "GET /contacts/:id",
    "PUT /contacts/:id",
    "POST /opportunities",
    "PUT /opportunities/:id/stage",
    "PUT /opportunities/:id/archived",
    "POST /opportunities/:id/addTags",
    "POST /opportunities/:id/removeTags",
    "POST /opportunities/:id/addLinks",
    "POST /opportunities/:id/removeLinks",
    "POST /opportunities/:id/addSources",
    "POST /opportunities/:id/removeSources",
    "GET /opportunities/:id/applications",
    "GET /opportunities/:id/applications/:applicationId",
    "GET /opportunities/:id/notes",
    "GET /opportunities/:id/notes/:noteId",
    "POST /opportunities/:id/notes",
    "DELETE /opportunities/:id/notes/:noteId",
    "GET /webhooks",
    "POST /webhooks",
    "DELETE /webhooks/:id",
)

ALL_PERMISSIONS: frozenset[str] = frozenset(ENDPOINTS)
