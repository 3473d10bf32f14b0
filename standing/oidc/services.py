"""Writes of the OpenID Connect provider: register a service, record a sign-in, give a person
their subject, revoke the tokens of people who may no longer use a service."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from meetcoop.core.audit import audit_log
from meetcoop.core.db import in_ids
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin
from resellers.models import Steward

from ..models import Service, ServiceSignIn, ServiceSubject
from .selectors import users_refused


@dataclass(frozen=True)
class Registered:
    """A service just registered, with its client secret in clear: shown once, never again
    (only its hash is stored)."""

    service: Service
    client_secret: str


def may_register_for(user, steward: Steward) -> bool:
    """A co-op admin registers services for any steward; a steward's admin for its own."""
    if is_coop_admin(user):
        return True
    return steward.admins.filter(pk=getattr(user, "pk", None)).exists()


def redirect_uris_clean(value) -> list[str]:
    """The redirect URIs given (a list, or text with one per line or space), each exactly as it
    will be matched; at least one."""
    uris = value.split() if isinstance(value, str) else [u.strip() for u in value]
    uris = [u for u in uris if u]
    if not uris:
        raise DomainError(_("Give at least one redirect URI."), field="redirect_uris")
    return list(dict.fromkeys(uris))


def service_register(
    *,
    steward: Steward,
    name: str,
    redirect_uris,
    kind: str = Service.Kind.GREENLIGHT,
    own_service: bool = False,
    public: bool = False,
    post_logout_redirect_uris=(),
    actor,
) -> Registered:
    """Register a service of ``steward``: an OAuth client for the authorization code flow
    (confidential, with a secret stored hashed; or public, which must use PKCE) whose redirect
    URIs are matched exactly, signing its ID tokens with RS256. Only a co-op admin may mark it
    the co-op's own (consent skipped), and only for the co-op steward."""
    if actor is not None and not may_register_for(actor, steward):
        raise DomainError(_("You may register services only for your own steward."))
    if own_service and actor is not None and not is_coop_admin(actor):
        raise DomainError(
            _("Only a co-op admin may mark a service as the co-op's own."), field="own_service"
        )
    if own_service and steward.kind != Steward.Kind.COOP:
        raise DomainError(
            _("Only a service of the co-op itself can be the co-op's own."), field="own_service"
        )
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the service a name."), field="name")
    uris = redirect_uris_clean(redirect_uris)
    secret = "" if public else generate_client_secret()
    application = Application(
        name=name,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        post_logout_redirect_uris=" ".join(post_logout_redirect_uris or ()),
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=own_service,
        algorithm=Application.RS256_ALGORITHM,
    )
    _check_uris(application)
    with transaction.atomic():
        application.save()
        service = Service.objects.create(
            application=application,
            steward=steward,
            kind=kind,
            own_service=own_service,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_log(
            actor=actor,
            action="standing.service.registered",
            obj=service,
            data={
                "steward": steward.slug,
                "client_id": application.client_id,
                "redirect_uris": uris,
                "own_service": own_service,
            },
        )
    return Registered(service, secret)


def _check_uris(application: Application) -> None:
    """DOT's own check of the redirect URIs (an allowed scheme, no fragment, no wildcard)."""
    try:
        application.clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="redirect_uris") from error


def service_update(
    *, service: Service, own_service: bool | None = None, redirect_uris=None, actor
) -> Service:
    """Change a service's redirect URIs, or (a co-op admin) whether it is the co-op's own;
    the OAuth client follows: consent is skipped exactly for the co-op's own services."""
    with transaction.atomic():
        locked = (
            Service.objects.select_for_update()
            .select_related("application", "steward")
            .get(pk=service.pk)
        )
        if actor is not None and not may_register_for(actor, locked.steward):
            raise DomainError(_("You may register services only for your own steward."))
        if redirect_uris is not None:
            uris = " ".join(redirect_uris_clean(redirect_uris))
            if uris != locked.application.redirect_uris:
                locked.application.redirect_uris = uris
                _check_uris(locked.application)
                locked.application.save(update_fields=["redirect_uris"])
                audit_log(
                    actor=actor,
                    action="standing.service.redirect_uris",
                    obj=locked,
                    data={"redirect_uris": uris.split()},
                )
        if own_service and locked.steward.kind != Steward.Kind.COOP:
            raise DomainError(
                _("Only a service of the co-op itself can be the co-op's own."),
                field="own_service",
            )
        if own_service is not None and own_service != locked.own_service:
            if actor is not None and not is_coop_admin(actor):
                raise DomainError(
                    _("Only a co-op admin may mark a service as the co-op's own."),
                    field="own_service",
                )
            locked.own_service = own_service
            locked.save(update_fields=["own_service"])
            audit_log(
                actor=actor,
                action="standing.service.own_service",
                obj=locked,
                data={"own_service": own_service},
            )
        if locked.application.skip_authorization != locked.own_service:
            locked.application.skip_authorization = locked.own_service
            locked.application.save(update_fields=["skip_authorization"])
    return locked


def sign_in_record(*, user, application) -> ServiceSignIn | None:
    """Record that ``user`` signed in to the service of ``application`` (now)."""
    service = Service.objects.filter(application=application).first()
    if service is None or not getattr(user, "pk", None):
        return None
    return ServiceSignIn.objects.create(user=user, service=service, at=timezone.now())


def subject_of(user) -> str:
    """The opaque identifier services know ``user`` by, made at the first need."""
    existing = ServiceSubject.objects.filter(user=user).values_list("sub", flat=True).first()
    if existing:
        return str(existing)
    try:
        with transaction.atomic():
            return str(ServiceSubject.objects.create(user=user).sub)
    except IntegrityError:  # made meanwhile by another request: the same person's
        return str(ServiceSubject.objects.get(user=user).sub)


def tokens_revoke_refused(*, user_ids) -> int:
    """Revoke the refresh tokens (and delete the access tokens) that the users ``user_ids``
    hold for services they may no longer sign in to. Set-based; safe to run twice (the
    second finds nothing live). Returns how many refresh tokens it revoked."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    now = timezone.now()
    live = (
        RefreshToken.objects.filter(in_ids("user_id", user_ids), revoked__isnull=True)
        .values_list("user_id", "application_id")
        .distinct()
    )
    access = AccessToken.objects.filter(in_ids("user_id", user_ids), expires__gt=now).values_list(
        "user_id", "application_id"
    )
    held = set(live) | set(access)
    if not held:
        return 0
    services = {
        s.application_id: s
        for s in Service.objects.select_related("steward").filter(
            application_id__in={app for _user, app in held}
        )
    }
    # A client that is no service lets nobody in: its tokens go too.
    refused = users_refused([(user, services[app]) for user, app in held if app in services])
    by_service = {s.pk: app for app, s in services.items()}
    pairs = {(user, by_service[service_id]) for user, service_id in refused}
    pairs |= {(user, app) for user, app in held if app not in services}
    # One statement per service, whatever the number of people.
    users_by_app: dict[int, set[int]] = {}
    for user, app in pairs:
        users_by_app.setdefault(app, set()).add(user)
    revoked = 0
    with transaction.atomic():
        for app, users in users_by_app.items():
            revoked += RefreshToken.objects.filter(
                user_id__in=users, application_id=app, revoked__isnull=True
            ).update(revoked=now, updated=now, access_token=None)
            AccessToken.objects.filter(user_id__in=users, application_id=app).delete()
    return revoked


def tokens_revoke_all(*, user) -> int:
    """End every token ``user`` holds at any service: the refresh tokens revoked, the access
    tokens and the codes not yet exchanged deleted (after a password change or reset: a
    token taken with the old password dies with it). The next sign-in is let in as ever.
    Safe to run twice. Returns how many refresh tokens it revoked."""
    if not getattr(user, "pk", None):
        return 0
    now = timezone.now()
    with transaction.atomic():
        revoked = RefreshToken.objects.filter(user=user, revoked__isnull=True).update(
            revoked=now, updated=now, access_token=None
        )
        AccessToken.objects.filter(user=user).delete()
        Grant.objects.filter(user=user).delete()
    return revoked
