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
