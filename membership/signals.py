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

membership_ended = Signal()
"""A person ended a membership (resigned, expelled).

Sent by ``membership.services.status.membership_status_set`` (the only writer of an end),
**inside** its transaction, after the status change, the membership row and the notice are
saved.

Arguments: ``membership`` (the saved, ended ``Membership``), ``actor`` (who ended it),
``on`` (its last day), ``note`` (why, in the member's words).

Receivers may write rows of their own in the same transaction (governance ends the member's
circle seats when it may no longer sit in a circle). A receiver that raises ``DomainError``
refuses the end: the whole transaction is rolled back and the person sees the message.
Receivers must not send email or call other systems directly: use ``transaction.on_commit``.
"""

statuses_changed = Signal()
"""The status of some memberships changed (or a membership was created with a status).

Sent by ``membership.services.signals.statuses_changed_after_commit``, called by every writer
of ``StatusChange`` rows: the status job (``status_changes_write``, set-based: one signal per
run with every membership it moved), a person's change (``membership_status_set``), an
admission (``membership_admit``) and a new membership (``membership_create``). Sent **after**
the transaction commits (never for a rolled-back change), once per commit.

Arguments: ``membership_ids`` (a list of ``Membership`` ids whose status is now different).

Receivers read the current rows themselves (the status may have changed again since) and
must be cheap and safe to run twice: typically they enqueue a Celery task (revoke the
tokens of a member who lapsed, push a member's forum groups). They must not raise: an error
is logged and the other receivers still run (``send_robust``).
"""
