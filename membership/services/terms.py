"""Terms of Use and Fair Use versions, and who accepted which."""

from django.db import transaction

from meetcoop.core.audit import audit_log

from ..models import TermsAcceptance


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
