"""Signals the governance app sends. Each docstring is the contract: who sends it, when,
inside or after which transaction, and what a receiver may do (see docs/architecture.md)."""

from django.dispatch import Signal

admission_decided = Signal()
"""The Permanent Assembly decided an admission proposal.

Sent by ``governance.services.proposal_close`` **inside** its transaction, after the
proposal's outcome, tally and audit entry are saved, for a proposal that admits an applicant
(``proposal.admission_application_id`` is set). Sent once: a closed proposal is never closed
again.

Arguments: ``proposal`` (the closed ``Proposal``), ``adopted`` (bool), ``reason`` (the
outcome in words), ``actor`` (who closed it, or None for the worker), ``on`` (the closing
date: the admission date when adopted).

The receiver (resellers) admits the applicant or closes the application in the same
transaction. If it raises ``DomainError`` (the application was withdrawn or decided
otherwise meanwhile), the close is rolled back: the proposal stays open and whoever tried to
close it sees the reason. Receivers must not send email directly (use
``transaction.on_commit``).
"""

seats_changed = Signal()
"""Members took or left circle seats.

Sent by ``governance.services.circles.circle_seat_add`` and ``circle_seat_end`` **after** the
transaction commits (never for a rolled-back change), once per commit, through
``send_robust``.

Arguments: ``member_ids`` (a list of ``membership.Member`` ids whose seats changed).

Receivers read the seats as they are now (a seat may start or end on a later day, so they
read "seated today" themselves) and must be cheap and safe to run twice: typically they
enqueue a Celery task (push the forum's circle groups). They must not raise: an error is
logged and the other receivers still run.
"""
