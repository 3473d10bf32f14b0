"""CAMT.053 (ISO 20022 bank-to-customer statement), versions .001.02 to .001.08.

Read with ``defusedxml``: a document type declaration, entities or external references
(billion laughs, XXE) are refused. Element names are read without their namespace, so every
version's namespace reads the same."""

import datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from meetcoop.core.banking import compact_iban, compact_rf, is_valid_rf
from meetcoop.core.errors import DomainError

from .lines import (
    Fingerprints,
    ParsedLine,
    ParsedStatement,
    find_rf,
    fitted_key,
    money_amount,
)


def looks_like_xml(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _is_code(currency: str) -> bool:
    return len(currency) == 3 and currency.isascii() and currency.isalpha()


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: Element | None, *names: str) -> Element | None:
    """The first element down the path of local ``names``, or None."""
    for name in names:
        if el is None:
            return None
        el = next((c for c in el if _local(c.tag) == name), None)
    return el


def _children(el: Element | None, name: str) -> list[Element]:
    return [] if el is None else [c for c in el if _local(c.tag) == name]


def _text(el: Element | None, *names: str) -> str:
    found = _child(el, *names) if names else el
    return (found.text or "").strip() if found is not None else ""


def parse_camt(data: bytes) -> ParsedStatement:
    try:
        root = fromstring(data)
    except DefusedXmlException as exc:
        raise DomainError(
            _(
                "The file declares entities or a document type, which a bank statement never "
                "does; it was refused unread."
            ),
            field="file",
        ) from exc
    except (ParseError, ValueError) as exc:
        raise DomainError(
            _("The file is not readable XML: %(error)s.") % {"error": exc}, field="file"
        ) from exc
    statements = _children(_child(root, "BkToCstmrStmt"), "Stmt")
    if _local(root.tag) != "Document" or not statements:
        raise DomainError(
            _("The file is XML but not a CAMT.053 bank statement (no BkToCstmrStmt/Stmt)."),
            field="file",
        )
    ids, iban, lines = [], "", []
    fingerprints = Fingerprints()
    for stmt in statements:
        ids.append(_text(stmt, "Id") or _text(stmt, "ElctrncSeqNb"))
        iban = iban or compact_iban(_text(stmt, "Acct", "Id", "IBAN"))
        for entry in _children(stmt, "Ntry"):
            lines.extend(
                _entry_lines(entry, first_position=len(lines) + 1, fingerprints=fingerprints)
            )
    statement_id = "+".join(i for i in ids if i)[:200]
    if not statement_id:
        raise DomainError(_("The statement has no identifier (Stmt/Id)."), field="file")
    return ParsedStatement(format="camt", statement_id=statement_id, iban=iban[:34], lines=lines)


def _tx_amount(tx: Element) -> Element | None:
    """A transaction's own amount: AmtDtls/TxAmt/Amt (.001.02 to .08), else Amt (.001.08)."""
    amount = _child(tx, "AmtDtls", "TxAmt", "Amt")
    return amount if amount is not None else _child(tx, "Amt")


def _entry_lines(
    entry: Element, *, first_position: int, fingerprints: Fingerprints
) -> list[ParsedLine]:
    """The lines of one entry: one line, or for a batch (several TxDtls, each with its own
    amount) one line per transaction, each keyed by the entry's key and its number."""
    transactions = [
        tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")
    ]
    if len(transactions) < 2 or any(_tx_amount(tx) is None for tx in transactions):
        return [_entry(entry, position=first_position, fingerprints=fingerprints)]
    return [
        _entry(
            entry,
            position=first_position + n,
            fingerprints=fingerprints,
            tx=tx,
            amount_el=_tx_amount(tx),
            part=n + 1,
        )
        for n, tx in enumerate(transactions)
    ]


def _entry(
    entry: Element,
    *,
    position: int,
    fingerprints: Fingerprints,
    tx: Element | None = None,
    amount_el: Element | None = None,
    part: int = 0,
) -> ParsedLine:
    amount_el = amount_el if amount_el is not None else _child(entry, "Amt")
    try:
        amount = money_amount(Decimal(_text(amount_el)))
    except InvalidOperation:
        amount = None
    currency = (amount_el.get("Ccy", "") if amount_el is not None else "").upper()
    if amount is None or amount <= 0 or not _is_code(currency):
        raise DomainError(
            _("Entry %(number)s has no readable amount and currency.") % {"number": position},
            field="file",
        )
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise DomainError(
            _("Entry %(number)s says neither credit nor debit.") % {"number": position},
            field="file",
        )
    is_credit = indicator == "CRDT"
    day = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
    day = day or _text(entry, "ValDt", "Dt") or _text(entry, "ValDt", "DtTm")[:10]
    try:
        booked_on = datetime.date.fromisoformat(day[:10])
    except ValueError as exc:
        raise DomainError(
            _("Entry %(number)s has no readable booking date.") % {"number": position},
            field="file",
        ) from exc
    tx = tx if tx is not None else _child(entry, "NtryDtls", "TxDtls")
    parties = _child(tx, "RltdPties")
    other = "Dbtr" if is_credit else "Cdtr"
    # .001.02 writes Dbtr/Nm; from .001.08 the party sits in Dbtr/Pty/Nm.
    name = _text(parties, other, "Nm") or _text(parties, other, "Pty", "Nm")
    remittance_info = _child(tx, "RmtInf")
    unstructured = " ".join(_text(u) for u in _children(remittance_info, "Ustrd")).strip()
    structured = ""
    for strd in _children(remittance_info, "Strd"):
        candidate = compact_rf(_text(strd, "CdtrRefInf", "Ref"))
        if candidate:
            structured = candidate
            break
    if structured and not is_valid_rf(structured):
        unstructured = f"{structured} {unstructured}".strip()
        structured = ""
    reference = structured or find_rf(unstructured)
    remittance = unstructured or _text(entry, "AddtlNtryInf")
    key = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    if key and part:  # one transaction of a batch entry
        key = _text(tx, "Refs", "AcctSvcrRef") or f"{key}/{part}"
    if not key:
        key = fingerprints.key(
            booked_on=booked_on,
            amount=amount if is_credit else -amount,
            name=name,
            remittance=f"{reference} {remittance}",
        )
    return ParsedLine(
        position=position,
        entry_key=fitted_key(key),
        booked_on=booked_on,
        amount=amount,
        currency=currency,
        is_credit=is_credit,
        counterparty=name[:200],
        remittance=remittance[:2000],
        reference=reference[:35],
    )
