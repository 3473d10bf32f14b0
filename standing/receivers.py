"""What standing does when something it reads changes elsewhere."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from membership.models import MemberContact

from .selectors.dashboard import NIGHTLY_SCHEDULE_CACHE


@receiver([post_save, post_delete], sender=PeriodicTask, dispatch_uid="standing.schedule.task")
@receiver([post_save, post_delete], sender=CrontabSchedule, dispatch_uid="standing.schedule.cron")
def forget_nightly_schedule(sender, **kwargs):
    """The nightly job's schedule changed in the admin: /me/ reads it anew."""
    cache.delete(NIGHTLY_SCHEDULE_CACHE)


# --- A login that stops acting for a member ---------------------------------------------------
# An organisation's contact removed, or the row moved to another login (the member's admin
# page): what the member gave the login (forum groups, access at the services) goes at once,
# as after a status change, not at the person's next sign-in (which, on the forum, may never
# come).


@receiver(pre_save, sender=MemberContact, dispatch_uid="standing.contact.note_login")
def note_contact_login(sender, instance, raw=False, **kwargs):
    """Before a contact row is saved, note the login it linked (one query, only for a row
    that exists)."""
    instance._login_before = None
    if raw or instance.pk is None:
        return
    instance._login_before = (
        sender._default_manager.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    )


@receiver(post_save, sender=MemberContact, dispatch_uid="standing.contact.login_moved")
def contact_login_moved(sender, instance, created=False, **kwargs):
    before = getattr(instance, "_login_before", None)
    if before is not None and before != instance.user_id:
        logins_acting_for_changed({before, instance.user_id})


@receiver(post_delete, sender=MemberContact, dispatch_uid="standing.contact.removed")
def contact_removed(sender, instance, **kwargs):
    logins_acting_for_changed({instance.user_id})


def logins_acting_for_changed(user_ids):
    """After the commit: push the forum groups of ``user_ids`` (those that entered the forum)
    and revoke their tokens at the services they may no longer use."""

    def follow():
        from .discourse.selectors import discourse_sync_enabled
        from .discourse.tasks import discourse_sync_enqueue
        from .oidc.services import tokens_revoke_refused

        tokens_revoke_refused(user_ids=user_ids)
        if discourse_sync_enabled():
            discourse_sync_enqueue(user_ids)

    transaction.on_commit(follow)


# --- The facts the status rules read (membership.services.facts) ------------------------------
# Saving or deleting one row the nightly job reads marks what it changed, in the same
# transaction: the next night evaluates those memberships (or all of a type) again. Writes of
# many rows at once (bulk_create, update) send no signal; their services mark them themselves.


# Each kind of row gives (how to find the memberships of ids, the id of this row's): ids of
# the same kind are marked together in one UPDATE inside ``facts_changed_together``.


def _of_members(ids):
    return {"member_ids": ids}


def _of_memberships(ids):
    return {"membership_ids": ids}


def _of_invoices(ids):
    from contributions.models import DuesInvoice

    return {"membership_ids": DuesInvoice.objects.filter(pk__in=ids).values("membership_id")}


def _of_payments(ids):
    from contributions.models import DuesInvoice

    return {"membership_ids": DuesInvoice.objects.filter(payments__in=ids).values("membership_id")}


def _mark(sender, instance, raw=False, **kwargs):
    """A row the rules read was saved or deleted: its members' memberships are marked (now,
    or at the end of ``facts_changed_together``)."""
    from membership.services import facts_changed, facts_changed_later

    if raw:  # loaddata: fixtures and the demo are evaluated whole (no run yet)
        return
    resolve, attribute = _MARKED[sender]
    ids = [getattr(instance, attribute)]
    if not facts_changed_later(resolve, ids):
        facts_changed(**resolve(ids))


def _recheck(sender, instance, raw=False, update_fields=None, **kwargs):
    """A row every membership (of a type) reads was saved or deleted: all are rechecked,
    unless the save named only fields the rules don't read (a steward's notice sent)."""
    from membership.services import everyone_recheck

    type_, what, read = _RECHECKED[sender]
    if raw or (update_fields is not None and read is not None and not read & set(update_fields)):
        return
    # In the co-op's language, as the nightly run writes the plan it goes into, whatever the
    # language of the person whose save it was.
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(what % {"id": instance.pk})
    everyone_recheck(reason=reason, type=type_)


_MARKED: dict = {}
_RECHECKED: dict = {}


def connect_fact_marks():
    """Connect the marks (called once, from ``StandingConfig.ready``)."""
    from contributions.models import DuesInvoice, DuesPayment, DuesRefund, LedgerEntry
    from governance.models import Attendance, CircleRole, Meeting
    from membership.models import Membership, Policy, TermsAcceptance, TermsVersion
    from resellers.models import Steward

    _MARKED.update(
        {
            LedgerEntry: (_of_members, "member_id"),
            Attendance: (_of_members, "member_id"),
            CircleRole: (_of_members, "member_id"),
            TermsAcceptance: (_of_members, "member_id"),
            Membership: (_of_memberships, "pk"),
            DuesInvoice: (_of_memberships, "membership_id"),
            DuesPayment: (_of_invoices, "invoice_id"),
            DuesRefund: (_of_payments, "payment_id"),
        }
    )
    operational, user = Membership.Type.OPERATIONAL, Membership.Type.USER
    _RECHECKED.update(
        {
            # (type rechecked, the reason, the fields the rules read: None for all)
            Policy: ("", _("policy %(id)s was saved or deleted"), None),
            TermsVersion: (
                user,
                _("terms version %(id)s was saved or deleted"),
                {"document", "version", "published_at"},
            ),
            Meeting: (
                operational,
                _("meeting %(id)s or its attendance was saved or deleted"),
                {"kind", "circle", "held_on", "attendance_recorded_at"},
            ),
            Steward: (operational, _("steward %(id)s was saved or deleted"), {"kind", "member"}),
        }
    )
    for model in _MARKED:
        for signal in (post_save, post_delete):
            signal.connect(_mark, sender=model, dispatch_uid=f"standing.facts.{model._meta.label}")
    for model in _RECHECKED:
        for signal in (post_save, post_delete):
            signal.connect(
                _recheck, sender=model, dispatch_uid=f"standing.recheck.{model._meta.label}"
            )
