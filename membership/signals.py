"""Signals the membership app sends. Each docstring is the contract: who sends it, when,
inside or after which transaction, and what a receiver may do. Higher apps receive them;
membership never imports a receiver (see docs/architecture.md)."""

from django.dispatch import Signal

membership_created = Signal()
"""A membership was created.

Sent by ``membership.services.members.membership_create`` (every path that creates a
membership: an approved user application, an admitted operational one, the admin's "add"),
**inside** its transaction, after the membership row and its audit entry are saved.

Arguments: ``membership`` (the saved ``Membership``), ``actor`` (the user who caused it, or
None for the system), ``on`` (the date it takes effect).

Receivers may write rows of their own in the same transaction (contributions issues the first
dues invoice). A receiver that raises ``DomainError`` refuses the creation: the whole
transaction is rolled back and the person sees the message. Receivers must not send email or
call other systems directly: use ``transaction.on_commit`` for that.
"""

membership_status_changed = Signal()
"""A person changed a membership's status (suspend, end, reinstate, admit).

Sent by ``membership.services.status.membership_status_set`` and ``membership_admit``,
**inside** the transaction that wrote the ``StatusChange``, after it is saved. The nightly job
does not send it per row (it moves thousands at once); it sends ``statuses_recomputed``.

Arguments: ``membership``, ``change`` (the ``StatusChange``), ``actor``.

Receivers may write in the same transaction; work outside the database (revoking access,
telling another service) belongs in ``transaction.on_commit``.
"""

statuses_recomputed = Signal()
"""A status run wrote its changes.

Sent by ``membership.services.status.status_changes_write`` **inside** the run's
transaction, after every change row is written, once per run (also when nothing changed).

Arguments: ``run`` (the ``StatusRun``), ``changes`` (a list of ``(membership id, old status,
new status, reasons)``).

Receivers must work set-based (one statement for all the ids, not one per row) and put work
outside the database in ``transaction.on_commit``.
"""
