"""Every row of an import checked before anything is written, and what to write prepared.

A fixed number of queries whatever the number of rows: the ids already imported, the
stewards, service levels, circles, terms versions, policies and exchange rates (small tables),
the logins named, and the rows earlier imports wrote that a new row could clash with.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from governance.models import Attendance, Circle
from meetcoop.core.db import in_ids
from meetcoop.core.money import round_money, validate_currency
from meetcoop.users.models import User
from membership.models import (
    ExchangeRate,
    MemberContact,
    Membership,
    Policy,
    ServiceLevel,
    TermsAcceptance,
    TermsVersion,
)
from resellers.models import Steward

from ..models import ERASED_IMPORT_ID_PREFIX, ImportedRecord, erased_import_id
from .columns import COLUMNS, KINDS
from .readers import RowError, Sheet

MIN_HOURS = Decimal("0.25")
MAX_HOURS = Decimal("24")
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}
# The kind of row each reference column names.
REFERS = {"member": "members", "meeting": "meetings"}


class _Bad(Exception):
    """A cell that could not be read; its error is already recorded."""


@dataclass
class Plan:
    """What an import would write: per kind, the new rows as dicts of model fields (the
    members and meetings they refer to by their external ids), and the logins to create."""

    errors: list[RowError] = field(default_factory=list)
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in KINDS})
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    known: dict[str, dict[str, int]] = field(default_factory=dict)  # earlier imports: id → pk
    new_users: dict[str, dict] = field(default_factory=dict)  # email → {name, language}
    existing_users: dict[str, int] = field(default_factory=dict)  # email → pk

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.rows.items()}


class _Row:
    """One row being checked: reads its cells, records what is wrong with them."""

    __slots__ = ("errors", "label", "line", "values", "ok")

    def __init__(self, errors, label, line, values):
        self.errors, self.label, self.line, self.values = errors, label, line, values
        self.ok = True

    def error(self, column: str, reason: str):
        self.errors.append(RowError(self.label, self.line, column, reason))
        self.ok = False

    def text(self, column: str, *, required=False, max_length=None) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.error(column, _("A value is required."))
            raise _Bad
        if max_length and len(value) > max_length:
            self.error(column, _("At most %(count)s characters, please.") % {"count": max_length})
            raise _Bad
        return value

    def choice(self, column: str, choices, *, required=False, default=""):
        value = self.text(column, required=required).lower() or default
        if value not in choices:
            self.error(column, _("Must be one of: %(choices)s.") % {"choices": ", ".join(choices)})
            raise _Bad
        return value

    def date(self, column: str, *, required=False, today=None) -> datetime.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value[:10]) if len(value) >= 10 else None
            if day is None or (len(value) > 10 and value[10] not in "T "):
                raise ValueError
        except ValueError:
            self.error(column, _("Not a date: write it as YYYY-MM-DD."))
            raise _Bad from None
        if today is not None and day > today:
            self.error(column, _("The date can't be in the future."))
            raise _Bad
        return day

    def moment(self, column: str, *, today) -> datetime.datetime:
        """A day (midday in the co-op's time zone) or an ISO date and time."""
        value = self.text(column, required=True)
        if len(value) <= 10:
            day = self.date(column, required=True, today=today)
            return _midday(day)
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            self.error(column, _("Not a date: write it as YYYY-MM-DD."))
            raise _Bad from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if timezone.localdate(moment) > today:
            self.error(column, _("The date can't be in the future."))
            raise _Bad
        return moment

    def decimal(self, column: str, *, required=False, places=2) -> Decimal | None:
        value = self.text(column, required=required).replace(" ", "")
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(column, _("Not a number: write it like 1234.50."))
            raise _Bad
        if number <= 0:
            self.error(column, _("Must be more than zero."))
            raise _Bad
        # The size first: quantizing a number like 1e30 overflows the context's precision.
        if abs(number) >= Decimal(10) ** 9:
            self.error(column, _("This number is too large."))
            raise _Bad
        if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
            self.error(column, _("At most %(places)s decimal places, please.") % {"places": places})
            raise _Bad
        return number

    def flag(self, column: str) -> bool:
        value = self.values.get(column, "").lower()
        if value in YES:
            return True
        if value in NO:
            return False
        self.error(column, _("Write yes or no."))
        raise _Bad


def _midday(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


class Checker:
    def __init__(self, sheets: list[Sheet], *, today: datetime.date, importer: str = ""):
        self.today = today
        # The email of the login importing: it approves the contributions that name nobody.
        self.importer = importer.lower()
        self.plan = Plan()
        self.by_kind: dict[str, list[Sheet]] = defaultdict(list)
        for sheet in sheets:
            self.by_kind[sheet.kind].append(sheet)
        self.ids: dict[str, set[str]] = {kind: set() for kind in KINDS}  # new ids per kind
        self.languages = [code for code, _name in settings.LANGUAGES]
        self.countries = {code for code, _name in countries}

    # --- the whole import ---------------------------------------------------------------

    def run(self) -> Plan:
        self._load_known()
        for kind in KINDS:
            for sheet in self.by_kind.get(kind, []):
                self._check_headers(sheet)
        self._read_erased_ids()
        # The ids of every kind first: a row may refer to a row of a later file.
        checked = {}
        for kind in KINDS:
            checked[kind] = [
                row for sheet in self.by_kind.get(kind, []) for row in self._ids(sheet)
            ]
        self._load_references()
        for kind in KINDS:
            check = getattr(self, f"_check_{kind}")
            for row in checked[kind]:
                try:
                    prepared = check(row)
                except _Bad:
                    continue
                if row.ok and prepared is not None:
                    prepared["_id"] = row.values["id"]
                    self.plan.rows[kind].append(prepared)
        self.plan.errors.sort(key=lambda e: (e.file, e.line))
        return self.plan

    def _load_known(self):
        known = defaultdict(dict)
        for kind, external_id, object_id in ImportedRecord.objects.values_list(
            "kind", "external_id", "object_id"
        ).iterator(chunk_size=10000):
            known[kind][external_id] = object_id
        self.plan.known = {kind: known.get(kind, {}) for kind in KINDS}

    def _read_erased_ids(self):
        """An erasure keeps an imported id that named the person only as its keyed hash
        (``standing.erasure``). Such an id in these files is read as that hash, in its own
        row and where another row refers to it, so that the row is still known: skipped, or
        referred to, never imported again."""
        erased = {
            kind: {i for i in ids if i.startswith(ERASED_IMPORT_ID_PREFIX)}
            for kind, ids in self.plan.known.items()
        }
        if not any(erased.values()):
            return
        for kind, sheets in self.by_kind.items():
            columns = [("id", kind), *REFERS.items()]
            for sheet in sheets:
                for _line, values in sheet.rows:
                    for column, named in columns:
                        value = values.get(column)
                        if value and erased[named]:
                            hashed = erased_import_id(value)
                            if hashed in erased[named]:
                                values[column] = hashed

    def _check_headers(self, sheet: Sheet):
        columns = COLUMNS[sheet.kind]
        for column, required in columns.items():
            if required and column not in sheet.headers:
                self.plan.errors.append(
                    RowError(sheet.label, 1, column, _("This column is missing."))
                )
        for header in sheet.headers:
            if header and header not in columns:
                self.plan.errors.append(
                    RowError(
                        sheet.label,
                        1,
                        header,
                        _("Not a column of this kind (%(columns)s).")
                        % {"columns": ", ".join(columns)},
                    )
                )
        missing = [c for c, required in columns.items() if required and c not in sheet.headers]
        if missing:
            sheet.rows = []  # its rows can't be read; the header's errors say why

    def _ids(self, sheet: Sheet):
        """The rows of ``sheet`` to check: not already imported, each id once."""
        known = self.plan.known[sheet.kind]
        seen = self.ids[sheet.kind]
        first_line: dict[str, str] = {}
        errors = self.plan.errors
        for line, values in sheet.rows:
            row = _Row(errors, sheet.label, line, values)
            if values.get("__extra__"):
                row.error("", _("This line has more cells than the header has columns."))
            external_id = values.get("id", "")
            if not external_id:
                row.error("id", _("A value is required."))
                continue
            if len(external_id) > 100:
                row.error("id", _("At most %(count)s characters, please.") % {"count": 100})
                continue
            if external_id in known:
                self.plan.skipped[sheet.kind] += 1
                continue
            if external_id in seen:
                row.error(
                    "id",
                    _("The id %(id)s is used twice (first at %(where)s).")
                    % {"id": external_id, "where": first_line[external_id]},
                )
                continue
            seen.add(external_id)
            first_line[external_id] = f"{sheet.label}:{line}"
            yield row

    def _ref(self, row: _Row, column: str):
        """The external id in ``column``, which must name a row of this import or of an
        earlier one."""
        external_id = row.text(column, required=True)
        kind = REFERS[column]
        if external_id not in self.ids[kind] and external_id not in self.plan.known[kind]:
            row.error(
                column,
                _("No row of %(kind)s with the id %(id)s, in this import or an earlier one.")
                % {"kind": kind, "id": external_id},
            )
            raise _Bad
        return external_id

    def _old(self, kind: str, external_id: str) -> int | None:
        return self.plan.known[kind].get(external_id)

    # --- the small tables and the rows an earlier import wrote ---------------------------

    def _load_references(self):
        self.stewards = dict(Steward.objects.values_list("slug", "pk"))
        self.levels = dict(ServiceLevel.objects.values_list("code", "pk"))
        self.circles = {}
        for pk, slug, name in Circle.objects.values_list("pk", "slug", "name"):
            self.circles[slug.lower()] = pk
            self.circles[name.lower()] = pk
        self.terms = {
            (document, version): pk
            for pk, document, version in TermsVersion.objects.values_list(
                "pk", "document", "version"
            )
        }
        self.policies = list(
            Policy.objects.order_by("effective_from").values_list("effective_from", "currency")
        )
        self.policy_days = [day for day, _currency in self.policies]
        rates = defaultdict(list)
        for currency, base, day, rate in ExchangeRate.objects.order_by(
            "effective_from", "id"
        ).values_list("currency", "base", "effective_from", "rate"):
            pair = rates[(currency, base)]
            if pair and pair[-1][0] == day:
                pair[-1] = (day, rate)  # a correction of the same day wins
            else:
                pair.append((day, rate))
        self.rates = dict(rates)
        emails = {
            row[1].get(column, "").lower()
            for kind, column in (("contacts", "email"), ("contributions", "approved_by"))
            for sheet in self.by_kind.get(kind, [])
            for row in sheet.rows
            if row[1].get(column)
        }
        self.users = {}
        chunk = sorted(emails)
        for start in range(0, len(chunk), 500):
            self.users.update(
                User.objects.filter(email__in=chunk[start : start + 500]).values_list("email", "pk")
            )
        self.plan.existing_users = dict(self.users)
        old_members = list(self.plan.known["members"].values())
        self.open_memberships = set(
            Membership.objects.filter(
                in_ids("member_id", old_members), ended_on__isnull=True
            ).values_list("member_id", "type")
        )
        self.accepted = set(
            TermsAcceptance.objects.filter(in_ids("member_id", old_members)).values_list(
                "member_id", "terms_version_id"
            )
        )
        self.contact_links = set(
            MemberContact.objects.filter(in_ids("member_id", old_members)).values_list(
                "member_id", "user__email"
            )
        )
        # (member id, email) of the logins that act for the members already imported.
        self.acting_for = {(member, email.lower()) for member, email in self.contact_links}
        old_meetings = list(self.plan.known["meetings"].values())
        self.present = set(
            Attendance.objects.filter(in_ids("meeting_id", old_meetings)).values_list(
                "meeting_id", "member_id"
            )
        )
        self.meeting_kinds = {}  # new meeting id → (kind, circle pk)
        self.contact_seen: set[tuple[str, str]] = set()
        self.main_contact: set[str] = set()
        self.open_seen: set[tuple[str, str]] = set()
        self.accepted_seen: set[tuple[str, int]] = set()
        self.present_seen: set[tuple[str, str]] = set()

    def _policy_currency(self, row, column, day) -> str:
        index = bisect.bisect_right(self.policy_days, day)
        if not index:
            row.error(column, _("No policy is in force on %(date)s.") % {"date": day.isoformat()})
            raise _Bad
        return self.policies[index - 1][1]

    def _rate(self, currency: str, base: str, day: datetime.date) -> Decimal | None:
        pair = self.rates.get((currency, base))
        if not pair:
            return None
        index = bisect.bisect_right(pair, (day, Decimal("Infinity")))
        return pair[index - 1][1] if index else None

    def _circle(self, row, column, *, required) -> int | None:
        value = row.text(column, required=required)
        if not value:
            return None
        pk = self.circles.get(value.lower())
        if pk is None:
            row.error(column, _("No circle with the slug or name %(circle)s.") % {"circle": value})
            raise _Bad
        return pk

    def _email(self, row, column) -> str:
        value = row.text(column, required=True, max_length=254).lower()
        try:
            _email_validator(value)
        except ValidationError as exc:
            row.error(column, " ".join(exc.messages))
            raise _Bad from None
        return value

    def _language(self, row, column="language") -> str:
        value = row.text(column).lower()
        if not value:
            return settings.LANGUAGE_CODE
        if value not in self.languages:
            row.error(
                column, _("Must be one of: %(choices)s.") % {"choices": ", ".join(self.languages)}
            )
            raise _Bad
        return value

    # --- each kind ----------------------------------------------------------------------

    def _check_members(self, row: _Row):
        kind = row.choice("kind", ["person", "organisation"], required=True)
        name = row.text("name", required=True, max_length=200)
        organisation_name = row.text("organisation_name", max_length=200)
        if kind == "organisation" and not organisation_name:
            row.error("organisation_name", _("An organisation needs its name."))
        email = self._email(row, "email")
        language = self._language(row)
        country = row.text("country").upper()
        if country and country not in self.countries:
            row.error("country", _("Not a country code: write its two letters, like ES or CA."))
        postal_address = row.text("postal_address", max_length=500)
        return {
            "kind": kind,
            "name": name,
            "organisation_name": organisation_name if kind == "organisation" else "",
            "email": email,
            "language": language,
            "country": country,
            "postal_address": postal_address,
        }

    def _check_contacts(self, row: _Row):
        member = self._ref(row, "member")
        email = self._email(row, "email")
        name = row.text("name", max_length=200)
        role = row.text("role", max_length=100)
        main = row.flag("main")
        language = self._language(row)
        old = self._old("members", member)
        if (member, email) in self.contact_seen or (old, email) in self.contact_links:
            row.error("email", _("This person is already a contact of this member."))
            raise _Bad
        self.contact_seen.add((member, email))
        if main:
            if member in self.main_contact:
                row.error("main", _("A member has one main contact."))
                raise _Bad
            self.main_contact.add(member)
        if email not in self.users and email not in self.plan.new_users:
            self.plan.new_users[email] = {"name": name, "language": language}
        return {"member": member, "email": email, "role": role, "is_primary": main}

    def _check_memberships(self, row: _Row):
        member = self._ref(row, "member")
        type_ = row.choice("type", ["operational", "user"], required=True)
        slug = row.text("steward", required=True)
        steward = self.stewards.get(slug)
        if steward is None:
            row.error("steward", _("No steward with the slug %(slug)s.") % {"slug": slug})
        code = row.text("level")
        level = None
        if type_ == "user":
            if not code:
                row.error("level", _("A user membership needs a service level."))
            else:
                level = self.levels.get(code)
                if level is None:
                    row.error(
                        "level", _("No service level with the code %(code)s.") % {"code": code}
                    )
        elif code:
            row.error("level", _("An operational membership has no service level."))
        status = row.choice(
            "status", ["pending", "active", "lapsed", "suspended", "ended"], required=True
        )
        policy_date = row.date("policy_date", today=self.today)
        admitted_on = row.date("admitted_on", today=self.today)
        ended_on = row.date("ended_on", today=self.today)
        if status != "pending" and admitted_on is None:
            row.error("admitted_on", _("Give the day the member was admitted."))
        if admitted_on and policy_date and admitted_on < policy_date:
            row.error(
                "admitted_on", _("Must be on or after %(column)s.") % {"column": "policy_date"}
            )
        if status == "ended" and ended_on is None:
            row.error("ended_on", _("An ended membership needs the day it ended."))
        if status != "ended" and ended_on is not None:
            row.error("ended_on", _("Only an ended membership has the day it ended."))
        if ended_on and admitted_on and ended_on < admitted_on:
            row.error("ended_on", _("Must be on or after %(column)s.") % {"column": "admitted_on"})
        if type_ == "operational":
            self._policy_currency(
                row, "policy_date", policy_date or admitted_on or self.today
            )  # a policy must bind the commitment
        if status != "ended":
            old = self._old("members", member)
            if (member, type_) in self.open_seen or (old, type_) in self.open_memberships:
                row.error("type", _("This member already holds a membership of this type."))
                raise _Bad
            self.open_seen.add((member, type_))
        return {
            "member": member,
            "type": type_,
            "steward_id": steward,
            "service_level_id": level,
            "status": status,
            "applied_on": policy_date,
            "admitted_on": admitted_on,
            "ended_on": ended_on,
        }

    def _check_terms(self, row: _Row):
        member = self._ref(row, "member")
        document = row.choice("document", ["terms_of_use", "fair_use"], required=True)
        version = row.text("version", required=True)
        accepted_at = row.moment("accepted_on", today=self.today)
        pk = self.terms.get((document, version))
        if pk is None:
            row.error(
                "version",
                _("No version %(version)s of %(document)s is published.")
                % {"version": version, "document": document},
            )
            raise _Bad
        old = self._old("members", member)
        if (member, pk) in self.accepted_seen or (old, pk) in self.accepted:
            row.error("version", _("This member has already accepted this version."))
            raise _Bad
        self.accepted_seen.add((member, pk))
        return {"member": member, "terms_version_id": pk, "accepted_at": accepted_at}

    def _check_seats(self, row: _Row):
        member = self._ref(row, "member")
        circle = self._circle(row, "circle", required=True)
        role = row.choice("role", ["coordinator", "member"], default="member")
        started_on = row.date("started_on", required=True)
        ended_on = row.date("ended_on")
        if ended_on and ended_on < started_on:
            row.error("ended_on", _("A seat can't end before it starts."))
        return {
            "member": member,
            "circle_id": circle,
            "role": role,
            "started_on": started_on,
            "ended_on": ended_on,
        }

    def _check_meetings(self, row: _Row):
        kind = row.choice("kind", ["all_hands", "circle"], required=True)
        circle = self._circle(row, "circle", required=False)
        if (kind == "circle") != (circle is not None):
            row.error(
                "circle", _("A circle meeting needs its circle; an All Hands Meeting has none.")
            )
        title = row.text("title", required=True, max_length=200)
        held_on = row.date("held_on", required=True, today=self.today)
        minutes_url = row.text("minutes_url", max_length=200)
        if minutes_url:
            try:
                _url_validator(minutes_url)
            except ValidationError as exc:
                row.error("minutes_url", " ".join(exc.messages))
        return {
            "kind": kind,
            "circle_id": circle,
            "title": title,
            "held_on": held_on,
            "minutes_url": minutes_url,
        }

    def _check_attendance(self, row: _Row):
        meeting = self._ref(row, "meeting")
        member = self._ref(row, "member")
        old_meeting, old_member = self._old("meetings", meeting), self._old("members", member)
        if (meeting, member) in self.present_seen or (old_meeting, old_member) in self.present:
            row.error("member", _("This member's attendance at this meeting is already recorded."))
            raise _Bad
        self.present_seen.add((meeting, member))
        return {"meeting": meeting, "member": member}

    def _check_contributions(self, row: _Row):
        member = self._ref(row, "member")
        kind = row.choice("kind", ["money", "resource", "labour"], required=True)
        day = row.date("date", required=True, today=self.today)
        description = row.text("description")
        entry = {
            "member": member,
            "kind": kind,
            "occurred_on": day,
            "description": description,
            "amount": None,
            "currency": "",
            "eur_rate": None,
            "eur_value": Decimal("0.00"),
            "hours": Decimal("0.00"),
            "circle_id": None,
        }
        if kind == "labour":
            hours = row.decimal("hours", required=True)
            if hours < MIN_HOURS or hours > MAX_HOURS:
                row.error(
                    "hours",
                    _("Hours must be between %(min)s and %(max)s for one day worked.")
                    % {"min": MIN_HOURS, "max": MAX_HOURS},
                )
            entry["hours"] = hours
            entry["circle_id"] = self._circle(row, "circle", required=True)
            for column in ("amount", "currency", "eur_rate"):
                if row.values.get(column):
                    row.error(column, _("Labour has hours, not money: leave this empty."))
            if not description:
                row.error("description", _("Say what was done."))
        else:
            amount = row.decimal("amount", required=True)
            base = self._policy_currency(row, "date", day)
            for column in ("hours", "circle"):
                if row.values.get(column):
                    row.error(column, _("Only labour has hours and a circle: leave this empty."))
            if kind == "resource":
                currency = row.text("currency").upper()
                if currency and currency != base:
                    row.error(
                        "currency",
                        _("A resource is valued in the co-op's currency, %(currency)s.")
                        % {"currency": base},
                    )
                if not description:
                    row.error("description", _("Describe the resource."))
                entry["eur_value"] = round_money(amount)
            else:
                currency = row.text("currency", required=True).upper()
                try:
                    validate_currency(currency)
                except ValidationError as exc:
                    row.error("currency", " ".join(exc.messages))
                    raise _Bad from None
                rate = row.decimal("eur_rate", places=6)
                if currency == base:
                    if rate is not None and rate != 1:
                        row.error(
                            "eur_rate",
                            _("Money in %(currency)s has a rate of 1.") % {"currency": base},
                        )
                    rate = Decimal("1")
                elif rate is None:
                    rate = self._rate(currency, base, day)
                    if rate is None:
                        row.error(
                            "eur_rate",
                            _(
                                "No exchange rate from %(currency)s to %(base)s is recorded "
                                "for %(date)s: give the rate used."
                            )
                            % {"currency": currency, "base": base, "date": day.isoformat()},
                        )
                        raise _Bad
                value = round_money(amount * rate)
                if value <= 0:
                    row.error("amount", _("The amount is worth less than one cent."))
                entry.update(amount=amount, currency=currency, eur_rate=rate, eur_value=value)
                # Without a description: "Money", in the reader's language.
                entry["description_code"] = "" if description else "money"
        approver = row.text("approved_by").lower()
        entry["decided_by_id"] = None
        if approver:
            entry["decided_by_id"] = self.users.get(approver)
            if entry["decided_by_id"] is None:
                row.error(
                    "approved_by", _("No login with the email %(email)s.") % {"email": approver}
                )
        # Nobody approves their own contributions: not the login named, nor the one importing.
        approving = approver or self.importer
        if approving and (
            (member, approving) in self.contact_seen
            or (self._old("members", member), approving) in self.acting_for
        ):
            if approver:
                reason = _(
                    "%(email)s acts for the member this entry credits: nobody approves their "
                    "own contributions."
                ) % {"email": approver}
            else:
                reason = _(
                    "You act for the member this entry credits: nobody approves their own "
                    "contributions. Name who approved it in approved_by."
                )
            row.error("approved_by", reason)
        approved_on = row.date("approved_on", today=self.today) or day
        if approved_on < day:
            row.error("approved_on", _("Must be on or after %(column)s.") % {"column": "date"})
        entry["decided_at"] = _midday(approved_on)
        return entry


def check(sheets: list[Sheet], *, today: datetime.date, importer: str = "") -> Plan:
    """Every row of ``sheets`` checked; the plan of what to write, or its errors.
    ``importer``: the email of the login importing, which approves the contributions whose
    ``approved_by`` is empty ("" for the system)."""
    return Checker(sheets, today=today, importer=importer).run()
