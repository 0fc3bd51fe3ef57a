"""Votes on the web: officers' pages (staff), their paper-ballot and proxy forms (paper), and the
owner's notice → choose → confirm → receipt with the public result and verification (public)."""

from council.voting.web import paper, public, staff

ROUTES = [*staff.ROUTES, *paper.ROUTES, *public.ROUTES]
