"""No input answers 500, on any page, for anyone.

The requests are generated from the URL conf (the admin's included; only static and media
files are left out), so a new view is covered as soon as it is routed. For each view, as
anonymous, a member, a steward's admin and a co-op admin:

* its path with bad parameters (a number past any column's range, a NUL);
* its query string with non-numbers, huge numbers and a NUL (an admin list also gets every
  list filter and foreign key looked up with a huge number, and a non-number);
* its forms posted back (the forms the page shows, found in its context) with every field a
  non-number, then with every number a huge one, with formset management forms claiming
  100,000 forms, and with a NUL;
* an admin list's actions posted with a selection that is not keys, and with odd extras.

A 4xx, a redirect or a page with form errors is fine; a 500 is not. The world is small (one
row of most models) and requests that can't differ are not repeated: about 20 s on SQLite.
"""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.db import models
from django.forms.formsets import BaseFormSet, ManagementForm
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from governance import services as governance
from meetcoop.core.admin import BoundedInlineFormSet
from meetcoop.core.audit import audit_log
from tests.factories import (
    ApplicationFactory,
    AttendanceFactory,
    CircleFactory,
    CircleRoleFactory,
    DuesPaymentFactory,
    GovernanceDocumentFactory,
    LabourEntryFactory,
    MeetingFactory,
    PolicyFactory,
    ProposalFactory,
    RevenueReportFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsAcceptanceFactory,
    TermsVersionFactory,
    UserFactory,
    voting_member,
)

pytestmark = pytest.mark.django_db

HUGE = str(10**30)
NUL = "\x00"
SLUG = "x"
# Query keys any page might read, looked up with bad values on every page.
COMMON_KEYS = ["q", "page", "p", "o", "document", "circle", "status", "kind", "type", "year"]
COMMON_KEYS += ["on", "next", "term", "_facets", "_changelist_filters", "lang"]
SKIPPED_PREFIXES = ("static/", "media/")
OUR_APPS = {"membership", "governance", "resellers", "contributions", "core", "users"}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


# --- the URL conf, walked --------------------------------------------------------------------


def _group_regex(regex: str, start: int) -> tuple[str, int]:
    """The body of the group opening at ``start`` and the index after its closing bracket."""
    depth, index = 0, start
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                body = regex[start:index]
                return body[body.index(">") + 1 :], index + 1
        index += 1
    raise ValueError(regex)


def _regex_path(regex: str, value_for) -> str:
    """A path the regex matches, each named group replaced by ``value_for(name, body)``."""
    out, index = [], 0
    regex = regex.lstrip("^").rstrip("$")
    while index < len(regex):
        match = NAMED_GROUP.match(regex, index)
        if match:
            body, index = _group_regex(regex, index)
            out.append(value_for(match["name"], body))
            continue
        char = regex[index]
        if char == "\\" and index + 1 < len(regex):
            out.append(regex[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _regex_value(body: str, bad: bool) -> str:
    candidates = ["1", SLUG, f"1-{SLUG}", *re.sub(r"[()?:]", "", body).split("|")]
    if bad:
        candidates = [f"{SLUG}%00", HUGE, *candidates]
    return next(
        (value for value in candidates if re.fullmatch(body, value.replace("%00", NUL))), "1"
    )


def _route_path(route: str, values: dict, bad: bool) -> str:
    def value(match):
        converter, name = match["converter"] or "str", match["name"]
        if converter == "int":
            return HUGE if bad else str(values.get(name, 1))
        if converter == "uuid":
            return str(uuid.UUID(int=0))
        return f"{SLUG}%00" if bad else str(values.get(name, SLUG))

    return CONVERTER.sub(value, route)


def views():
    """(pattern chain, callback) for every routed view but static and media files."""
    found = []

    def walk(patterns, chain):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, [*chain, pattern])
            elif isinstance(pattern, URLPattern):
                found.append(([*chain, pattern], pattern.callback))

    walk(get_resolver().url_patterns, [])
    return found


def build_path(chain, *, values=None, bad=False) -> str | None:
    path = ""
    for pattern in chain:
        raw = pattern.pattern
        text = str(raw)
        if hasattr(raw, "converters") and not hasattr(raw, "regex_pattern"):
            pass
        if raw.__class__.__name__ == "RoutePattern":
            path += _route_path(text, values or {}, bad)
        else:
            path += _regex_path(text, lambda name, body: _regex_value(body, bad))
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return "/" + path


def int_parameters(chain) -> list[str]:
    return [
        match["name"]
        for pattern in chain
        if pattern.pattern.__class__.__name__ == "RoutePattern"
        for match in CONVERTER.finditer(str(pattern.pattern))
        if match["converter"] == "int"
    ]


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture
def world(mailoutbox):
    cache.clear()  # the rate limits of earlier tests
    PolicyFactory()
    terms = [TermsVersionFactory(document=d) for d in ("terms_of_use", "fair_use")]
    steward = StewardFactory(slug=SLUG)
    offer = StewardOfferFactory(steward=steward)
    member, member_user = voting_member(membership_type="operational", email="member@example.org")
    from tests.factories import MembershipFactory

    membership = MembershipFactory(
        member=member, steward=steward, service_level=offer.service_level
    )
    steward_admin = StewardAdminFactory(stewards=[steward])
    coop_admin = UserFactory(is_staff=True, is_superuser=True)
    ApplicationFactory(steward=steward, service_level=offer.service_level, terms=terms)
    ApplicationFactory(steward=steward, operational=True)
    TermsAcceptanceFactory(member=member, terms_version=terms[0])
    payment = DuesPaymentFactory(invoice__membership=membership)
    RevenueReportFactory(steward=steward)
    circle = CircleFactory(slug=SLUG)
    CircleRoleFactory(circle=circle, member=member, role="coordinator")
    meeting = MeetingFactory(circle=circle, kind="circle")
    AttendanceFactory(meeting=meeting, member=member)
    LabourEntryFactory(member=member, circle=circle, logged_by=member_user)
    document = governance.document_create(title="Rules", slug=SLUG, actor=coop_admin)
    ProposalFactory(author=coop_admin, document=document, new_text="New rules.")
    GovernanceDocumentFactory()
    from tests.factories import ConcernFactory

    ConcernFactory(member=member)  # the member reads it and may answer it
    # A waged role the member applied for and holds, so its pages post their forms too; a
    # rate and a settlement row for the admin's lists.
    role = governance.role_publish(
        title="Caretaker",
        circle=circle,
        description="Patch the servers.",
        hours_per_month="10",
        pay_per_month="100",
        currency="EUR",
        closes_on=datetime.date.today() + datetime.timedelta(days=30),
        actor=coop_admin,
    )
    application = governance.role_apply(role=role, member=member, statement="Me", actor=member_user)
    governance.role_application_decide(application=application, accept=True, actor=coop_admin)
    from tests.factories import ExchangeRateFactory

    ExchangeRateFactory()
    audit_log(actor=coop_admin, action="test.bad_input", obj=payment)
    return {
        "anonymous": None,
        "member": member_user,
        "steward admin": steward_admin,
        "co-op admin": coop_admin,
    }


def _row_ids() -> list[tuple[str, int]]:
    """(model name, id) of the first rows of every model of the co-op's apps."""
    from django.apps import apps

    return [
        (model._meta.model_name, pk)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:2]
        if isinstance(pk, int)
    ]


def _world_ints(explorer, chain, row_ids) -> dict:
    """Values for a view's int parameters that find a row: the first id that does not 404,
    trying first the ids of the models the path names (``proposals/<int:pk>`` → proposals)."""
    names = int_parameters(chain)
    if not names:
        return {}
    words = {
        word.rstrip("s") for word in re.split(r"[^a-z]+", "".join(str(p.pattern) for p in chain))
    }
    words.discard("")
    named = [pk for model, pk in row_ids if any(word in model for word in words)]
    for candidate in dict.fromkeys([*named, *(pk for _model, pk in row_ids), 1]):
        values = dict.fromkeys(names, candidate)
        if explorer.get(build_path(chain, values=values)).status_code != 404:
            return values
    return dict.fromkeys(names, 1)


# --- what is posted ------------------------------------------------------------------------------

NUMBER_FIELDS = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.ModelChoiceField,
    forms.DurationField,
    forms.ModelMultipleChoiceField,
)


def _forms_in(context) -> list:
    """Every form and formset the page's own template got (admin wrappers unwrapped)."""
    if not context:
        return []
    main = context[0] if isinstance(context, list) else context  # the first template rendered
    found = []
    for value in main.flatten().values():
        candidates = value if isinstance(value, list) else [value]
        for item in candidates:
            item = getattr(item, "formset", None) or getattr(item, "form", None) or item
            if isinstance(item, ManagementForm):
                continue  # posted with its formset
            if isinstance(item, forms.BaseForm | BaseFormSet) and item not in found:
                found.append(item)
    return found


def _keys(form) -> list[tuple[str, forms.Field, object]]:
    out = []
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        initial = form[name].value()
        widgets = getattr(field.widget, "widgets", None)
        if widgets:
            out += [(f"{key}_{i}", field, None) for i in range(len(widgets))]
        else:
            out.append((key, field, initial))
    return out


def bodies(context) -> list[dict]:
    """Two bodies: every field a non-number (and formsets claiming 100,000 forms); then the
    page's own values with every number a huge one."""
    strange, huge = {}, {}
    for item in _forms_in(context):
        if isinstance(item, BaseFormSet):
            management = item.management_form
            for key, _field, initial in _keys(management):
                huge[key] = "" if initial is None else str(initial)
            strange[management.add_prefix("TOTAL_FORMS")] = "100000"
            strange[management.add_prefix("INITIAL_FORMS")] = "0"
            members = item.forms
        else:
            members = [item]
        for form in members:
            for key, field, initial in _keys(form):
                strange[key] = "abc"
                if isinstance(field, NUMBER_FIELDS):
                    huge[key] = HUGE
                elif isinstance(initial, list | tuple):
                    huge[key] = [str(v) for v in initial]
                else:
                    huge[key] = "" if initial is None else str(initial)
    return [body for body in (strange, huge) if body]


def changelist_queries(model_admin, request) -> list[dict]:
    """An admin list's own lookups: each list filter and foreign key with a huge number,
    everything at once with a non-number, every date with a year out of range, the date
    hierarchy with both."""
    keys = []
    for item in model_admin.get_list_filter(request):
        if isinstance(item, str):
            keys.append(f"{item}__exact")
        elif isinstance(item, tuple | list):
            keys.append(f"{item[0]}__exact")
        elif hasattr(item, "parameter_name"):
            keys.append(item.parameter_name)
    keys += [
        field.name
        for field in model_admin.model._meta.concrete_fields
        if field.is_relation or isinstance(field.get_default(), int | Decimal)
    ]
    # At once: a lookup refused while the query is built stops the others, but a huge number
    # is a valid one for every field; it fails, if at all, when the query runs.
    queries = [dict.fromkeys(keys, HUGE), dict.fromkeys(keys, "abc")]
    # Any date of the model by a year no date has (Django checks the hierarchy's own year
    # only): all at once, past the range and before it.
    dates = [
        field.name
        for field in model_admin.model._meta.concrete_fields
        if isinstance(field, models.DateField)
    ]
    if dates:
        queries.append({f"{name}__year": "99999" for name in dates})
        queries.append({f"{name}__year__gte": "0" for name in dates})
        queries.append({f"{name}__year__lt": "-5" for name in dates})
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        queries.append({f"{field}__year": HUGE, f"{field}__month": "13", f"{field}__day": "x"})
        queries.append({f"{field}__year": HUGE})  # alone: past a C long, not a ValueError
        queries.append({f"{field}__year": "abc"})
    return queries


# --- the walk ------------------------------------------------------------------------------------


class Walk:
    def __init__(self, client):
        self.client = client
        self.failures = []

    def check(self, method, path, data=None, **extra):
        response = getattr(self.client, method)(path, data or {}, **extra)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = repr(exc[1]) if exc else response.status_code
            shown = {k: (v if len(str(v)) < 40 else "…") for k, v in (data or {}).items()}
            self.failures.append(f"{method.upper()} {path} {shown}: {reason}")
        return response


@pytest.mark.parametrize("role", ["anonymous", "member", "steward admin", "co-op admin"])
def test_no_input_answers_500(world, role):
    explorer = Client()
    explorer.force_login(world["co-op admin"])
    client = Client(raise_request_exception=False)
    user = world[role]
    if user is not None:
        client.force_login(user)
    staff = role in ("steward admin", "co-op admin")
    walk = Walk(client)
    request = type("Request", (), {"user": user, "GET": {}})()

    row_ids = _row_ids()
    for chain, callback in views():
        values = _world_ints(explorer, chain, row_ids)
        model_admin = getattr(callback, "model_admin", None)
        if model_admin is not None:  # an admin page of one row: the world's first
            first = model_admin.model._default_manager.order_by("pk").first()
            values["object_id"] = first.pk if first is not None else 1
        real = build_path(chain, values=values)
        if real is None:
            continue
        if user is not None:
            client.force_login(user)  # again: a page walked before may have signed out
        is_admin = real.startswith("/admin/")
        if is_admin and not staff:
            walk.check("get", real)  # sent to the sign-in page, nothing more to try
            continue
        if "<" in "".join(str(p.pattern) for p in chain):
            walk.check("get", build_path(chain, bad=True))
        walk.check("get", real, {"q": NUL})
        walk.check("post", real, {"q": NUL})
        url_name = resolve(real).url_name or ""
        is_changelist = model_admin is not None and url_name.endswith("_changelist")
        # The page with odd query values is also the page whose forms are posted back.
        page = walk.check("get", real, dict.fromkeys(COMMON_KEYS, "abc"))
        if not is_admin or is_changelist:
            walk.check("get", real, dict.fromkeys(COMMON_KEYS, HUGE))
        if page.status_code != 200:
            page = walk.check("get", real)
        if is_changelist and page.status_code == 200:
            for query in changelist_queries(model_admin, request):
                walk.check("get", real, query)
            actions = [name for name, _label in model_admin.get_action_choices(page.wsgi_request)]
            first = model_admin.model._default_manager.order_by("pk").first()
            for action in actions[1:]:  # the first choice is the empty "---------"
                walk.check("post", real, {"action": action, ACTION_CHECKBOX_NAME: "abc"})
                walk.check("post", real, {"action": action, ACTION_CHECKBOX_NAME: HUGE})
                if first is not None and action != "delete_selected":
                    extras = {"select_across": "abc", "index": "abc"}
                    selection = {"action": action, ACTION_CHECKBOX_NAME: str(first.pk)}
                    walk.check("post", real, {**selection, **extras})
        # Third-party admins (schedules, groups, sites) are read and sent odd values; only the
        # co-op's own forms are posted back in full.
        ours = model_admin is None or model_admin.model._meta.app_label in OUR_APPS
        if page.status_code == 200 and not is_changelist and ours:
            for body in bodies(page.context):
                walk.check("post", real, body)

    assert walk.failures == [], "\n".join(walk.failures)


def test_every_admin_inline_refuses_a_forged_form_count_without_building_forms():
    inlines = [
        inline for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    ]
    assert inlines
    for inline in inlines:
        assert issubclass(inline.formset, BoundedInlineFormSet), inline


def test_a_forged_form_count_on_the_stewards_page_is_refused_at_once(client, world):
    client.force_login(world["co-op admin"])
    from resellers.models import Steward

    steward = Steward.objects.get(slug=SLUG)
    page = client.get(f"/admin/resellers/steward/{steward.pk}/change/")
    [body, _huge] = bodies(page.context)
    body.update({"name": "Renamed", "slug": SLUG, "kind": "reseller"})
    response = client.post(f"/admin/resellers/steward/{steward.pk}/change/", body)
    assert response.status_code == 200  # the form again, with the error
    [formset] = [f.formset for f in response.context["inline_admin_formsets"]]
    assert formset.forms == []  # not one of the 100,000 forms was built
    assert "Please submit at most" in str(formset.non_form_errors())
    steward.refresh_from_db()
    assert steward.name != "Renamed"


# --- the failures reported, each named ---------------------------------------------------------


def test_the_reported_failures_are_refused_cleanly(world):
    """Each of these was a 500 (the NUL ones on PostgreSQL, where text can't hold one)."""
    from contributions.models import DuesInvoice
    from resellers.models import Application

    client = Client(raise_request_exception=False)
    client.force_login(world["co-op admin"])
    invoice = DuesInvoice.objects.first()
    application = Application.objects.first()
    requests = [
        ("get", "/governance/proposals/new/", {"document": NUL}),
        ("get", "/admin/resellers/application/", {"status__exact": NUL}),
        ("get", "/admin/resellers/application/", {"steward": HUGE}),
        (
            "get",
            "/admin/autocomplete/",
            {
                "app_label": "membership",
                "model_name": "membership",
                "field_name": "member",
                "term": NUL,
            },
        ),
        (
            "post",
            "/admin/resellers/application/",
            {"action": "approve_selected", ACTION_CHECKBOX_NAME: ["abc", application.pk]},
        ),
        (
            "post",
            "/admin/contributions/duespayment/add/",
            {"invoice": "abc", "amount": "10", "currency": "EUR", "paid_on": "2026-01-10"},
        ),
        (
            "post",
            "/admin/contributions/duespayment/add/",
            {"invoice": HUGE, "amount": "10", "currency": "EUR", "paid_on": "2026-01-10"},
        ),
        # More fields than Django takes in one request (DATA_UPLOAD_MAX_NUMBER_FIELDS).
        ("post", "/apply/x/", {f"field{i}": "x" for i in range(1001)}),
    ]
    for method, path, data in requests:
        response = getattr(client, method)(path, data)
        assert 400 <= response.status_code < 500 or response.status_code in (200, 302), (
            method,
            path,
            response.status_code,
        )
        assert response.status_code < 500
    assert DuesInvoice.objects.get(pk=invoice.pk).payments.count() == 1  # nothing was recorded
    application.refresh_from_db()
    assert application.status == "submitted"  # the action was refused whole


@pytest.mark.django_db
def test_a_year_no_date_can_have_finds_nothing_or_everything():
    """``__year`` past 9999 or before 1: no row for exact and the side past the range, every
    row for the other side, and years in range as before."""
    from membership.models import Member
    from tests.factories import MemberFactory

    MemberFactory()
    rows = Member.objects.all()
    assert not rows.filter(created_at__year=99999).exists()
    assert rows.filter(created_at__year__lt=99999).count() == 1
    assert rows.filter(created_at__year__gte=0).count() == 1
    assert not rows.filter(created_at__year__lte=-5).exists()
    assert not rows.filter(created_at__year__gt=10000).exists()
    this_year = rows.get().created_at.year
    assert rows.filter(created_at__year=this_year).count() == 1
    assert not rows.filter(created_at__year=this_year + 1).exists()
