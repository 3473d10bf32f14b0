"""Terms of Use and Fair Use versions, and who accepted which.

A version is published from its ``published_at``; from then on members are asked to accept
it, so it never changes and is never deleted (a change is a new version). A person adds only a
document's first version (the terms in force before the platform); every later one is the
text of a governance document the Permanent Assembly adopted (``terms_version_adopted``),
published on the day of the adoption: members get ``terms_acceptance_days`` from then to
accept it. A version not yet published may still be corrected or withdrawn.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log, audited_delete, audited_update
from meetcoop.core.errors import DomainError

from ..models import TermsAcceptance, TermsVersion

TERMS_VERSION_VALUES = frozenset({"document", "version", "text", "published_at"})


def _refuse_past_publication(published_at: datetime.datetime) -> None:
    if timezone.localdate(published_at) < timezone.localdate():
        raise DomainError(
            _(
                "A new version can't be published in the past: members would be bound by it "
                "without having been asked. Choose today or a later day."
            ),
            field="published_at",
        )


def _refuse_published(version: TermsVersion) -> None:
    if version.published_at <= timezone.now():
        raise DomainError(
            _(
                "This version is published and members are asked to accept it: it can't be "
                "changed or deleted. Publish a new version instead."
            ),
            code="terms_published",
        )


def terms_version_create(
    *, document: str, version: str, text: str, published_at: datetime.datetime, actor
) -> TermsVersion:
    """Add the first version of the Terms of Use or the Fair Use Agreement by hand (the
    co-op's terms as they were before the platform; it may be dated in the past). Every later
    version is a governance document's text adopted by the Permanent Assembly
    (``terms_version_adopted``): a person never publishes new terms on their own."""
    if TermsVersion.objects.filter(document=document).exists():
        raise DomainError(
            _(
                "New terms are published only when the Permanent Assembly adopts them: choose, "
                "on a governance document, that members accept it as these terms, and propose "
                "the new text there."
            ),
            field="document",
            code="terms_by_proposal",
        )
    with transaction.atomic():
        return _publish(
            document=document, version=version, text=text, published_at=published_at, actor=actor
        )


def _publish(*, document, version, text, published_at, actor, **audited) -> TermsVersion:
    terms_version = TermsVersion(
        document=document, version=version, text=text, published_at=published_at
    )
    terms_version.full_clean()
    terms_version.save()
    audit_log(
        actor=actor,
        action="membership.terms_version.created",
        obj=terms_version,
        data={"document": document, "version": version, "published_at": published_at, **audited},
    )
    return terms_version


def terms_version_adopted(
    *, document: str, number: int, text: str, proposal_id: int, published_at: datetime.datetime
) -> TermsVersion | None:
    """The Permanent Assembly adopted version ``number`` of the governance document members
    accept as ``document``: publish it as the next version of those terms, from
    ``published_at`` (the adoption). A text the same as the version in force publishes
    nothing (a document chosen for terms already in force, say). Called inside the
    proposal's close."""
    current = (
        TermsVersion.objects.filter(document=document, published_at__lte=published_at)
        .order_by("-published_at", "-pk")
        .first()
    )
    if current is not None and current.text.strip() == text.strip():
        return None
    label = str(number)
    if TermsVersion.objects.filter(document=document, version=label).exists():
        label = f"{number} ({timezone.localdate(published_at).isoformat()})"
    return _publish(
        document=document,
        version=label,
        text=text,
        published_at=published_at,
        actor=None,
        proposal=proposal_id,
    )


def terms_version_update(*, terms_version: TermsVersion, actor, **values) -> TermsVersion:
    """Correct a version not yet published. Setting the values it already has changes
    nothing and writes no audit entry."""
    unknown = set(values) - TERMS_VERSION_VALUES
    if unknown:
        raise TypeError(f"terms_version_update() got unexpected values: {sorted(unknown)}")
    with transaction.atomic():
        locked = TermsVersion.objects.select_for_update().get(pk=terms_version.pk)
        _refuse_published(locked)
        if "published_at" in values:
            _refuse_past_publication(values["published_at"])
        audited_update(locked, values, actor=actor, action="membership.terms_version.changed")
    terms_version.refresh_from_db()
    return locked


def terms_version_delete(*, terms_version: TermsVersion, actor) -> None:
    """Withdraw a version not yet published."""
    with transaction.atomic():
        locked = TermsVersion.objects.select_for_update().get(pk=terms_version.pk)
        _refuse_published(locked)
        audited_delete(
            locked,
            actor=actor,
            action="membership.terms_version.deleted",
            data={"document": locked.document, "version": locked.version},
        )


def terms_acceptances_record(*, member, versions, accepted_at, accepted_by=None) -> None:
    """Record that ``member`` accepted ``versions`` at ``accepted_at`` (once per version)."""
    for version in versions:
        TermsAcceptance.objects.get_or_create(
            member=member,
            terms_version=version,
            defaults={"accepted_at": accepted_at, "accepted_by": accepted_by},
        )


def terms_accept(*, members, version, actor) -> int:
    """The user accepts ``version`` for each member it acts for. Accepting twice is a no-op."""
    created = 0
    with transaction.atomic():
        for member in members:
            _acceptance, was_created = TermsAcceptance.objects.get_or_create(
                member=member, terms_version=version, defaults={"accepted_by": actor}
            )
            if was_created:
                created += 1
                audit_log(
                    actor=actor,
                    action="membership.terms.accepted",
                    obj=member,
                    data={"terms_version": version.pk},
                )
    return created
