"""Bank statement writes: import a statement file, confirm its lines (record the payments
matched or assigned, skip the others), and remember a bank's CSV mapping.

An entry is stored once per account: importing the same file again, or a statement that
overlaps an earlier one, records nothing twice. Each payment carries the entry as its source
(``BankLine.source_key``), so even two confirms racing record it once."""

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.banking import compact_iban, validate_iban
from meetcoop.core.errors import DomainError
from membership.services import facts_changed_together

from .. import statements as parsing
from ..models import BankCsvMapping, BankLine, BankLineDecision, BankStatement, PledgeInvoice
from ..selectors import statements as sel
from ..selectors.invoices import pledge_invoices_with_paid
from .dues import dues_payment_record
from .ledger import _today, entry_approve, money_record

MAPPING_FIELDS = (
    "delimiter",
    "decimal_separator",
    "date_format",
    "date_column",
    "amount_column",
    "currency_column",
    "currency",
    "name_column",
    "reference_column",
    "entry_id_column",
    "iban",
)


def bank_csv_mapping_save(*, name: str, steward, actor, **fields) -> BankCsvMapping:
    """Define a bank's CSV mapping, or change the one of that name (per steward)."""
    if not sel.may_import_for(actor, steward):
        raise PermissionDenied(_("You may not import statements for this steward."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the bank this mapping is for."), field="mapping_name")
    longest = BankCsvMapping._meta.get_field("name").max_length
    if len(name) > longest:
        raise DomainError(
            _("At most %(count)s characters, please.") % {"count": longest}, field="mapping_name"
        )
    values = {key: (fields.get(key) or "").strip() for key in MAPPING_FIELDS}
    values["delimiter"] = (fields.get("delimiter") or ";")[:1]
    values["decimal_separator"] = (fields.get("decimal_separator") or ",")[:1]
    values["currency"] = values["currency"].upper()
    for required in ("date_column", "amount_column", "name_column", "reference_column"):
        if not values[required]:
            raise DomainError(_("Name the column that holds it."), field=required)
    if not values["currency_column"] and not values["currency"]:
        raise DomainError(
            _("Name the currency column, or give the currency of every row."), field="currency"
        )
    values["iban"] = compact_iban(fields.get("iban") or "")
    if values["iban"]:
        try:
            validate_iban(values["iban"])
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="iban") from exc
    if not values["date_format"]:
        values["date_format"] = "%d/%m/%Y"
    try:
        datetime.date(2026, 1, 31).strftime(values["date_format"])
    except ValueError as exc:
        raise DomainError(_("This is not a date format."), field="date_format") from exc
    with transaction.atomic():
        mapping = (
            BankCsvMapping.objects.select_for_update().filter(steward=steward, name=name).first()
        )
        if mapping is None:
            mapping = BankCsvMapping.objects.create(
                name=name, steward=steward, created_by=actor, **values
            )
            audit_log(
                actor=actor, action="contributions.csv_mapping.defined", obj=mapping, data=values
            )
        else:
            changed = {k: v for k, v in values.items() if getattr(mapping, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(mapping, key, value)
                mapping.save(update_fields=sorted(changed))
                audit_log(
                    actor=actor,
                    action="contributions.csv_mapping.changed",
                    obj=mapping,
                    data=changed,
                )
    return mapping


def _account_of(parsed, *, mapping, sha256: str) -> str:
    if parsed.iban:
        return parsed.iban
    if parsed.format == "csv" and mapping is not None:
        return mapping.iban or f"csv:{mapping.pk}"
    return f"stmt:{parsed.statement_id or sha256}"[:80]


def _names_of_account(account: str, *, steward) -> list[str]:
    """Every name the entries of ``account`` may be stored under: the account, and the
    mappings that name it as their IBAN (their entries imported before they named it are
    known by the mapping)."""
    mappings = BankCsvMapping.objects.filter(steward=steward, iban=account).exclude(iban="")
    return [account, *(f"csv:{pk}" for pk in mappings.values_list("pk", flat=True))]


def statement_import(
    *, data: bytes, file_name: str, actor, steward=None, fmt: str = "", mapping=None
) -> tuple[BankStatement, bool]:
    """Import a statement file for ``steward`` (None: the co-op's account). Returns the
    statement and whether it is new: the same file imported again returns the statement
    already imported. Entries already imported with an earlier statement of the same account
    are not stored again (``known_entries`` counts them). ``actor`` None is the system."""
    if not sel.may_import_for(actor, steward):
        raise PermissionDenied(_("You may not import statements for this steward."))
    if mapping is not None and mapping.steward_id != getattr(steward, "pk", None):
        raise DomainError(_("This mapping belongs to another account."), field="mapping")
    parsed = parsing.parse_statement(data, fmt=fmt, mapping=mapping)
    sha256 = parsing.file_sha256(data)
    existing = BankStatement.objects.filter(steward=steward, sha256=sha256).first()
    if existing is not None:
        return existing, False
    account = _account_of(parsed, mapping=mapping, sha256=sha256)
    seen, fresh = set(), []
    for line in parsed.lines:
        if line.entry_key not in seen:
            seen.add(line.entry_key)
            fresh.append(line)
    try:
        with transaction.atomic():
            known = set(
                BankLine.objects.filter(
                    steward=steward,
                    account__in=_names_of_account(account, steward=steward),
                    entry_key__in=list(seen),
                ).values_list("entry_key", flat=True)
            )
            statement = BankStatement.objects.create(
                steward=steward,
                file_name=(file_name or "")[:255],
                sha256=sha256,
                statement_id=parsed.statement_id or sha256,
                iban=parsed.iban,
                format=parsed.format,
                mapping=mapping if parsed.format == "csv" else None,
                known_entries=len(known),
                imported_by=actor,
            )
            BankLine.objects.bulk_create(
                [
                    BankLine(
                        statement=statement,
                        steward=steward,
                        account=account,
                        entry_key=line.entry_key,
                        position=line.position,
                        booked_on=line.booked_on,
                        amount=line.amount,
                        currency=line.currency,
                        is_credit=line.is_credit,
                        counterparty=line.counterparty,
                        remittance=line.remittance,
                        reference=line.reference,
                    )
                    for line in fresh
                    if line.entry_key not in known
                ]
            )
            audit_log(
                actor=actor,
                action="contributions.statement.imported",
                obj=statement,
                data={
                    "file": statement.file_name,
                    "sha256": sha256,
                    "statement": statement.statement_id,
                    "steward": getattr(steward, "slug", None),
                    "lines": len(fresh) - len(known),
                    "known": len(known),
                },
            )
    except IntegrityError:
        # Someone imported the same file (or entries) at the same moment.
        existing = BankStatement.objects.filter(steward=steward, sha256=sha256).first()
        if existing is None:
            raise DomainError(
                _("Another import of these entries was running; import the file again."),
                field="file",
            ) from None
        return existing, False
    return statement, True


def statement_upload(
    *,
    data: bytes,
    file_name: str,
    actor,
    steward=None,
    fmt: str = "",
    mapping=None,
    new_mapping: dict | None = None,
) -> tuple[BankStatement, bool]:
    """The upload form's import: a CSV read with a mapping defined on the same form saves
    the mapping (remembered for the next import) and imports, together or not at all."""
    fmt = fmt or parsing.detect_format(data)
    with transaction.atomic():
        if fmt == "csv" and mapping is None and new_mapping and new_mapping.get("name"):
            mapping = bank_csv_mapping_save(steward=steward, actor=actor, **new_mapping)
        return statement_import(
            data=data,
            file_name=file_name,
            actor=actor,
            steward=steward,
            fmt=fmt,
            mapping=mapping if fmt == "csv" else None,
        )


@dataclasses.dataclass
class ConfirmResult:
    recorded: int = 0
    skipped: int = 0
    pending: int = 0  # money entries left pending: their recorder may not approve them
    refused: list = dataclasses.field(default_factory=list)  # (line, reason)


def statement_confirm(
    *, statement: BankStatement, choices: dict, actor, on: datetime.date | None = None
) -> ConfirmResult:
    """Record the payments of a statement's lines. ``choices`` maps a line's pk to the key of
    an open invoice ("d:<pk>", "p:<pk>"), to "skip", or to "" (left for later).

    In one transaction with the statement locked: a choice naming an invoice the actor may
    not match refuses the whole confirm; a line already decided is left as it is; a line
    whose amount is more than its invoice's outstanding amount is refused and stays open.
    ``actor`` None (the command) records dues only; pledges are matched on the page."""
    on = _today(on)
    if not sel.may_import_for(actor, statement.steward):
        raise PermissionDenied(_("You may not confirm this statement."))
    result = ConfirmResult()
    # The payments' marks for the nightly job: one UPDATE at the end, not one per line.
    with transaction.atomic(), facts_changed_together():
        statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
        matches, candidates = sel.statement_matches(statement, user=actor, on=on)
        by_line = {m.line.pk: m for m in matches}
        for line_id, choice in choices.items():
            if choice in ("", "skip"):
                continue
            if line_id in by_line and not by_line[line_id].is_open:
                continue  # decided meanwhile (a second confirm): left as it is
            if choice not in candidates or line_id not in by_line:
                raise DomainError(
                    _("A line was assigned to an invoice that is not open or not yours to match."),
                    code="invoice",
                )
        left = {key: c.outstanding for key, c in candidates.items()}
        note = _("Bank statement %(file)s") % {"file": statement.file_name}
        skipped = []
        for match in matches:
            choice = choices.get(match.line.pk, "")
            if not match.is_open or not choice:
                continue
            line = match.line
            if choice == "skip":
                skipped.append(BankLineDecision(line=line, outcome="skipped", decided_by=actor))
                continue
            candidate = candidates[choice]
            reason = _refusal(line, candidate, left[candidate.key], actor)
            if reason:
                result.refused.append((line, reason))
                continue
            try:
                with transaction.atomic():
                    _record(line, candidate, actor=actor, note=note, on=on, result=result)
            except (DomainError, PermissionDenied) as exc:
                result.refused.append((line, str(getattr(exc, "text", None) or exc)))
                continue
            left[candidate.key] -= line.amount
        BankLineDecision.objects.bulk_create(skipped)  # one insert, however many lines
        result.skipped = len(skipped)
        audit_log(
            actor=actor,
            action="contributions.statement.confirmed",
            obj=statement,
            data={
                "file": statement.file_name,
                "sha256": statement.sha256,
                "recorded": result.recorded,
                "skipped": result.skipped,
                "refused": len(result.refused),
                "pending": result.pending,
            },
        )
    return result


def _refusal(line, candidate, outstanding, actor) -> str:
    if candidate.currency != line.currency:
        return _("The invoice is in %(currency)s, the payment is not.") % {
            "currency": candidate.currency
        }
    if line.amount > outstanding:
        return _("The amount is more than the invoice's outstanding amount; decide by hand.")
    if candidate.kind == "pledge" and actor is None:
        return _("Payments of pledges are matched on the statement's page, by a treasurer.")
    return ""


def _record(line, candidate, *, actor, note, on, result: ConfirmResult):
    if candidate.kind == "dues":
        payment = dues_payment_record(
            invoice=candidate.invoice,
            amount=line.amount,
            currency=line.currency,
            paid_on=line.booked_on,
            actor=actor,
            note=note,
            on=on,
            source_key=line.source_key,
        )
        BankLineDecision.objects.create(
            line=line,
            outcome="recorded",
            dues_invoice=candidate.invoice,
            dues_payment=payment,
            decided_by=actor,
        )
        result.recorded += 1
        return
    # Locked, and what is outstanding read again: a confirm of another statement (the co-op's
    # account and a steward's, or two files) may have paid it since the candidates were read.
    invoice = PledgeInvoice.objects.select_for_update().get(pk=candidate.invoice.pk)
    paid = (
        pledge_invoices_with_paid(
            PledgeInvoice.objects.filter(pk=invoice.pk), on=datetime.date.max, pending=True
        )
        .values_list("paid", flat=True)
        .get()
    )
    if line.amount > invoice.amount - paid:
        raise DomainError(
            _("The amount is more than the invoice's outstanding amount; decide by hand."),
            code="overpaid",
        )
    invoice = candidate.invoice
    entry = money_record(
        member=invoice.membership.member,
        amount=line.amount,
        currency=line.currency,
        received_on=line.booked_on,
        description=note,
        actor=actor,
        on=on,
        pledge_invoice=invoice,
        source_key=line.source_key,
    )
    approved = entry.status != entry.Status.PENDING
    if not approved:
        try:
            with transaction.atomic():
                entry = entry_approve(entry=entry, actor=actor, note=note, on=on)
            approved = True
        except (DomainError, PermissionDenied):
            approved = False  # the treasurer acts for this member: another one approves it
    BankLineDecision.objects.create(
        line=line,
        outcome="recorded",
        pledge_invoice=invoice,
        ledger_entry=entry,
        decided_by=actor,
        reason="" if approved else _("Left pending: another treasurer approves it."),
    )
    result.recorded += 1
    if not approved:
        result.pending += 1
