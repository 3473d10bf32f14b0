"""A former member's erasure, which keeps the books (``erasure_confirm``).

The erasure writes rows of every app (members, logins, applications, concerns, stances, the
ledger's free texts, the audit log), so it lives here, on top. What it changes and what it
keeps, and why, is in docs/erasure.md. In short: a name becomes the request's pseudonym, an
email ``erased-<token>@invalid``, an address and the texts the person wrote ``(erased)`` or
empty; every id, amount, date, status and count stays, so every total is unchanged.
"""

import json
import re
from collections import Counter

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, DeviceGrant, Grant, IDToken, RefreshToken

from governance.models import (
    DocumentVersion,
    Proposal,
    PublicListing,
    RoleApplication,
    StanceRecord,
    Voter,
)
from governance.services import proposal_content_sha256
from meetcoop.core.audit import audit_log
from meetcoop.core.erasure import ERASABLE_COLUMNS, ERASED_TEXT, erase_update, erasure_allowed
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AppendOnlyModel
from meetcoop.core.roles import is_coop_admin
from membership.models import ErasureRequest, Member, MemberContact
from membership.services import refuse_unless_ended
from resellers.models import Application, Concern, ConcernEntry, Steward

from .discourse.models import DiscourseNonce
from .discourse.selectors import discourse_sync_enabled
from .discourse.tasks import discourse_sync_enqueue
from .models import ImportedRecord, ServiceSubject, erased_import_id

ALREADY_DECIDED = "already_decided"

# Texts shorter than this are not looked for in other rows' free texts: a short name would
# match inside ordinary words.
SHORTEST_SWEPT = 4

# Columns that name *someone*: the erased member's own are rewritten directly; another row's
# are that other person's, even when the text is the same (two people may share a name).
IDENTITY_COLUMNS = {
    ("membership", "member"): {"name", "organisation_name", "email", "postal_address"},
    ("users", "user"): {"email", "name"},
    ("resellers", "application"): {"name", "organisation_name", "email"},
    ("governance", "publiclisting"): {"display_name"},
    ("account", "emailaddress"): {"email"},
    # The request's own pseudonym and token are what the erasure writes, not what it erases.
    ("membership", "erasurerequest"): {"pseudonym", "token"},
}
# Columns that hold secrets, hashes or one-time keys, never words: a swept text found inside
# one by chance (a postcode's digits inside a hex checksum) would corrupt another person's
# login, token or form. The erased person's own are deleted (``_cut_service_links``,
# ``_delete_sessions``) or made unusable (the password).
SECRET_COLUMNS = {
    ("users", "user"): {"password"},
    ("account", "emailconfirmation"): {"key"},
    ("core", "submissionkey"): {"key"},
    ("standing", "discoursenonce"): {"nonce"},
}
# Rows the erasure does not sweep: a steward is a business and its details are its own
# public record; a governance document's versions are the co-op's rules, hashed; sessions are
# deleted, not rewritten; an import's ids are replaced whole (``_erase_import_ids``); the rest
# are Django's own tables, and the OAuth provider's (services, their secrets, tokens and codes:
# the erased logins' are deleted, the services are the stewards').
UNSWEPT_MODELS = {Steward, DocumentVersion, Session, ImportedRecord}
UNSWEPT_APPS = {
    "contenttypes",
    "auth",
    "admin",
    "sessions",
    "django_celery_beat",
    "sites",
    "oauth2_provider",
}


def erased_email(token: str, n: int = 0) -> str:
    suffix = f"-{n}" if n else ""
    return f"erased-{token.lower()}{suffix}@invalid"


def _replace(value, replacements: list[tuple[re.Pattern, str]]):
    if isinstance(value, str):
        for pattern, new in replacements:
            value = pattern.sub(new, value)
        return value
    if isinstance(value, list):
        return [_replace(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, replacements) for key, item in value.items()}
    return value


def _address_texts(address: str) -> list[str]:
    """What of a postal address the sweep looks for: the whole address, and each line that
    holds a number (a street and its number, a postcode). A line of words only (a town, a
    country: "Spain") names no one, and swept it would be taken out of every other record."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    texts = [line for line in lines if any(ch.isdigit() for ch in line)]
    if len(lines) > 1:
        texts.insert(0, address.strip())
    return texts


def _swept_fields(model) -> list:
    """The free-text columns of ``model`` the sweep reads."""
    if model in UNSWEPT_MODELS or model._meta.app_label in UNSWEPT_APPS:
        return []
    if model._meta.proxy or not model._meta.managed:
        return []
    table = model._meta.db_table
    append_only = issubclass(model, AppendOnlyModel) or table in ERASABLE_COLUMNS
    key = (model._meta.app_label, model._meta.model_name)
    skip = IDENTITY_COLUMNS.get(key, set()) | SECRET_COLUMNS.get(key, set())
    fields = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField | models.JSONField):
            continue
        if field.choices or field.name in skip or field.primary_key:
            continue
        if append_only and field.column not in ERASABLE_COLUMNS.get(table, []):
            continue
        fields.append(field)
    return fields


def _sweep(strings: dict[str, str]) -> Counter:
    """Replace each of ``strings`` (text → what it becomes) in every free-text column of the
    database, case aside. Returns how many rows changed, per model."""
    texts = sorted((s for s in strings if len(s) >= SHORTEST_SWEPT), key=len, reverse=True)
    replacements = [(re.compile(re.escape(s), re.IGNORECASE), strings[s]) for s in texts]
    changed: Counter = Counter()
    if not texts:
        return changed
    proposals: set[int] = set()
    for model in apps.get_models():
        for field in _swept_fields(model):
            if isinstance(field, models.JSONField):
                # Stored as JSON: non-ASCII letters may be written as \u escapes.
                needles = {n for s in texts for n in (s, json.dumps(s)[1:-1])}
                rows = model._default_manager.annotate(_as_text=Cast(field.name, TextField()))
                lookup = "_as_text__icontains"
            else:
                needles = set(texts)
                rows = model._default_manager.all()
                lookup = f"{field.name}__icontains"
            condition = Q()
            for needle in needles:
                condition |= Q(**{lookup: needle})
            for pk, value in rows.filter(condition).values_list("pk", field.name):
                new = _replace(value, replacements)
                if new == value:
                    continue
                erase_update(model._default_manager.filter(pk=pk), **{field.name: new})
                changed[model._meta.label] += 1
                if model is Proposal:
                    proposals.add(pk)
    # An admission proposal's title names the applicant; its hash of what was voted on is
    # written again over the words it now holds (the erasure's audit entry says so).
    for proposal in Proposal.objects.filter(pk__in=proposals):
        Proposal.objects.filter(pk=proposal.pk).update(
            content_sha256=proposal_content_sha256(proposal)
        )
    return changed


def _erase_import_ids(strings: dict[str, str]) -> int:
    """An import's id that holds one of ``strings`` (the co-op used an email, or a name, as
    its id for the person's rows) becomes its keyed hash: the id is gone, and a later import
    of the same file still knows the row and skips it, so the person is not imported again.
    A text counts only as a whole: not inside a longer word or number (an address line
    "1234" leaves another member's "M12345" alone). Returns how many ids were replaced."""
    texts = [s for s in strings if len(s) >= SHORTEST_SWEPT]
    if not texts:
        return 0
    whole = [
        re.compile(rf"(?<![^\W_]){re.escape(text)}(?![^\W_])", re.IGNORECASE) for text in texts
    ]
    condition = Q()
    for text in texts:
        condition |= Q(external_id__icontains=text)
    found = [
        (pk, external_id)
        for pk, external_id in ImportedRecord.objects.filter(condition).values_list(
            "pk", "external_id"
        )
        if any(pattern.search(external_id) for pattern in whole)
    ]
    for pk, external_id in found:
        erase_update(
            ImportedRecord.objects.filter(pk=pk), external_id=erased_import_id(external_id)
        )
    return len(found)


def _delete_sessions(user_ids: set[int]) -> int:
    """Sign the erased logins out everywhere: their sessions are deleted."""
    wanted = {str(pk) for pk in user_ids}
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def _cut_service_links(user_ids: set[int]) -> dict[str, int]:
    """Cut what still links the erased logins to the co-op's services and the forum: their
    OAuth tokens, codes and ID tokens (a service can no longer refresh or read them), the
    subject services know them by (so a service's own copy of the person can't be matched
    with what the platform keeps), and the forum's spent nonces. Their sign-ins to services
    (who, which, when: ids and times) stay, like their attendance."""
    if not user_ids:
        return {}
    return {
        "refresh_tokens": RefreshToken.objects.filter(user_id__in=user_ids).delete()[0],
        "access_tokens": AccessToken.objects.filter(user_id__in=user_ids).delete()[0],
        "id_tokens": IDToken.objects.filter(user_id__in=user_ids).delete()[0],
        "grants": Grant.objects.filter(user_id__in=user_ids).delete()[0],
        "device_grants": DeviceGrant.objects.filter(user_id__in=user_ids).delete()[0],
        "service_subjects": ServiceSubject.objects.filter(user_id__in=user_ids).delete()[0],
        "forum_nonces": DiscourseNonce.objects.filter(user_id__in=user_ids).delete()[0],
    }


def _locked_undecided(request: ErasureRequest) -> ErasureRequest:
    """``request`` locked (inside the caller's transaction), refused when already decided."""
    locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ErasureRequest.Status.REQUESTED:
        raise DomainError(
            _("This request was already %(status)s; nothing was changed.")
            % {"status": locked.get_status_display()},
            code=ALREADY_DECIDED,
        )
    return locked


def erasure_confirm(*, request: ErasureRequest, actor) -> ErasureRequest:
    """Erase the member of ``request`` (co-op admins only), keeping every total.

    In one transaction, with the request and the member locked: refused while a membership
    is not ended, and when the request was already decided (confirming twice changes nothing
    and says so). See the module's docstring and docs/erasure.md for what changes.
    """
    if not is_coop_admin(actor):
        raise PermissionDenied
    User = get_user_model()
    with transaction.atomic(), erasure_allowed():
        locked = _locked_undecided(request)
        member = Member.objects.select_for_update().get(pk=locked.member_id)
        refuse_unless_ended(member)
        token, pseudonym = locked.token, locked.pseudonym
        email = erased_email(token)

        # The logins: erased, unless the login also acts for another member or holds a role
        # in the co-op (then it is that person's, and only its link to this member goes).
        erased_users, unlinked_users = [], []
        for user in User.objects.filter(member_links__member=member).order_by("pk"):
            shared = MemberContact.objects.filter(user=user).exclude(member=member).exists()
            if shared or user.is_staff or user.is_superuser or user.groups.exists():
                unlinked_users.append(user)
            else:
                erased_users.append(user)

        # Every text that names the person, and what it becomes.
        strings: dict[str, str] = {}

        def name(text):
            if text and text.strip():
                strings[text.strip()] = pseudonym

        def mail(text):
            if text and text.strip():
                strings[text.strip()] = email

        name(member.name)
        name(member.organisation_name)
        mail(member.email)
        for line in _address_texts(member.postal_address):
            strings[line] = ERASED_TEXT
        for user in erased_users:
            mail(user.email)
            name(user.name)
            for address in EmailAddress.objects.filter(user=user):
                mail(address.email)
        applications = Application.objects.filter(Q(member=member) | Q(email__iexact=member.email))
        for application in applications:
            name(application.name)
            name(application.organisation_name)
            mail(application.email)
        for concern_email in Concern.objects.filter(member=member).values_list(
            "member_email", flat=True
        ):
            mail(concern_email)
        # Never the pseudonym or the erased email themselves.
        strings = {k: v for k, v in strings.items() if k not in {pseudonym, email}}

        # The member and its links.
        Member.objects.filter(pk=member.pk).update(
            name=pseudonym,
            organisation_name=pseudonym if member.organisation_name else "",
            email=email,
            postal_address="",
        )
        MemberContact.objects.filter(member=member).update(role="")
        MemberContact.objects.filter(member=member, user__in=unlinked_users).delete()

        # The logins.
        for n, user in enumerate(erased_users):
            user.email = erased_email(token, n)
            user.name = pseudonym
            user.language = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "name", "language", "is_active", "password"])
        erased_ids = {user.pk for user in erased_users}
        EmailAddress.objects.filter(user_id__in=erased_ids).delete()
        sessions = _delete_sessions(erased_ids)
        services = _cut_service_links(erased_ids)

        # Applications, concerns, votes, roles, the public listing.
        applications.update(
            name=pseudonym,
            organisation_name=pseudonym if member.organisation_name else "",
            email=email,
            statement="",
            pledge_resources_description="",
        )
        Concern.objects.filter(member=member).update(member_email=email)
        Concern.objects.filter(raised_for=member).update(description=ERASED_TEXT, evidence="")
        erase_update(
            ConcernEntry.objects.filter(author_id__in=erased_ids).exclude(text=ERASED_TEXT),
            text=ERASED_TEXT,
        )
        Voter.objects.filter(member=member).exclude(reason="").update(reason=ERASED_TEXT)
        erase_update(
            StanceRecord.objects.filter(voter__member=member).exclude(reason=""),
            reason=ERASED_TEXT,
        )
        RoleApplication.objects.filter(member=member).update(statement=ERASED_TEXT)
        PublicListing.objects.filter(member=member).update(
            display_name=pseudonym, website="", offer="", listed=False
        )

        # Whatever else still names them: the ledger's descriptions, notes, bank lines, the
        # audit log's data, an admission proposal's title.
        swept = _sweep(strings)
        swept[ImportedRecord._meta.label] += _erase_import_ids(strings)

        locked.status = ErasureRequest.Status.CONFIRMED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="standing.erasure.confirmed",
            obj=locked,
            data={
                "member": member.pk,
                "logins_erased": sorted(erased_ids),
                "logins_unlinked": sorted(user.pk for user in unlinked_users),
                "sessions_ended": sessions,
                "service_links_cut": services,
                "rows_rewritten": dict(sorted(swept.items())),
            },
        )
        # The forum keeps its own copy of the person's name and email: once committed, it is
        # told the pseudonym and the erased email, and its groups are taken away (only the
        # logins that entered the forum are pushed; ``discourse_sync`` is idempotent).
        if erased_ids and discourse_sync_enabled():
            ids = sorted(erased_ids)
            transaction.on_commit(lambda: discourse_sync_enqueue(ids))
    return locked


def erasure_refuse(*, request: ErasureRequest, actor, note: str = "") -> ErasureRequest:
    """Refuse a request (co-op admins only), with why; a second decision is refused."""
    if not is_coop_admin(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked_undecided(request)
        locked.status = ErasureRequest.Status.REFUSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()[:300]
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_log(
            actor=actor,
            action="standing.erasure.refused",
            obj=locked,
            data={"member": locked.member_id},
        )
    return locked
