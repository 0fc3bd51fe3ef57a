"""Pages of the proposals area: the compound's public list with co-sign progress, a proposal
(attachments, co-sign, pre-review state, the published answer, comments), writing and editing
one with attachments (public.py); the officers' queues (pre-review with its clock, answers to
write and publish together) and the compound's rules (staff.py). Thin handlers: the service
decides."""

from typing import Any

from council.proposals.web.public import ProposalSteps, PublicProposals
from council.proposals.web.staff import StaffProposals

ROUTES: list[Any] = [PublicProposals, ProposalSteps, StaffProposals]
