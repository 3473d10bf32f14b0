"""An invoice a member can act on: its page and its PDF, seen only by those it concerns."""

import contextlib
import datetime
import re
import zlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from freezegun import freeze_time
from stdnum import iso11649

from contributions import invoice_views
from contributions.models import DuesInvoice
from meetcoop.core.roles import TREASURERS
from tests.factories import (
    DuesInvoiceFactory,
    DuesPaymentFactory,
    MemberContactFactory,
    MembershipFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"


def pdf_text(data: bytes) -> str:
    """The text of a PDF fpdf2 wrote with one TrueType font: its strings are glyph ids,
    read back through the font's ToUnicode map, one line per text object, in the order the
    glyphs are drawn (left to right: right-to-left words come out reversed). Streams may be
    compressed (Flate)."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = match.group(1)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        streams.append(raw)
    glyphs: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for gid, code in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                glyphs[int(gid, 16)] = bytes.fromhex(code.decode()).decode("utf-16-be")
    text = []
    for stream in streams:
        # One text object (BT ... ET) is one line; shaped text writes it glyph by glyph.
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", stream, re.S):
            line = []
            for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", block, re.S):
                raw = _unescape(literal)
                ids = (int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2))
                line.append("".join(glyphs.get(gid, "?") for gid in ids))
            if line:
                text.append("".join(line))
    return "\n".join(text)


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(literal):
        c = literal[i]
        if c == 0x5C:  # backslash
            nxt = literal[i + 1]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
            elif 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4]).group(0)
                out.append(int(digits, 8))
                i += 1 + len(digits)
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


@pytest.fixture
def world(db):
    PolicyFactory()  # dues grace: 30 days
    steward = StewardFactory(
        name="Àlgebra Cooperativa",
        account_holder="Àlgebra Cooperativa SCCL",
        iban=IBAN,
        bic="COBADEFFXXX",
        contact_email="diners@algebra.example",
    )
    other_steward = StewardFactory(name="Another Reseller")
    contact = MemberContactFactory(member__name="Núria Pérez")
    level = ServiceLevelFactory(name="Ràdio")
    membership = MembershipFactory(member=contact.member, steward=steward, service_level=level)
    invoice = DuesInvoiceFactory(membership=membership, amount=Decimal("12.50"))
    treasurer = UserFactory()
    treasurer.groups.add(Group.objects.get_or_create(name=TREASURERS)[0])
    return {
        "steward": steward,
        "invoice": invoice,
        "member": contact.user,
        "own_admin": StewardAdminFactory(stewards=[steward]),
        "other_admin": StewardAdminFactory(stewards=[other_steward]),
        "treasurer": treasurer,
        "other_member": MemberContactFactory().user,
    }


def page(client, user, invoice, name="contributions:invoice_detail"):
    client.force_login(user)
    return client.get(reverse(name, args=[invoice.pk]))


@pytest.mark.parametrize("who", ["member", "own_admin", "treasurer"])
@pytest.mark.parametrize("name", ["contributions:invoice_detail", "contributions:invoice_pdf"])
def test_the_member_its_stewards_admin_and_a_treasurer_see_the_invoice(client, world, who, name):
    assert page(client, world[who], world["invoice"], name).status_code == 200


@pytest.mark.parametrize("who", ["other_admin", "other_member"])
@pytest.mark.parametrize("name", ["contributions:invoice_detail", "contributions:invoice_pdf"])
def test_anyone_else_gets_404(client, world, who, name):
    assert page(client, world[who], world["invoice"], name).status_code == 404


def test_an_unknown_invoice_is_404_and_a_visitor_signs_in_first(client, world):
    client.force_login(world["member"])
    assert client.get(reverse("contributions:invoice_detail", args=[999999])).status_code == 404
    client.logout()
    response = client.get(reverse("contributions:invoice_detail", args=[world["invoice"].pk]))
    assert response.status_code == 302


@freeze_time("2026-01-10")
def test_the_page_shows_what_for_amount_bank_details_and_reference(client, world):
    invoice = world["invoice"]
    response = page(client, world["member"], invoice)
    html = response.content.decode()
    assert iso11649.is_valid(invoice.reference)
    grouped = iso11649.format(invoice.reference)
    assert re.fullmatch(r"RF\d\d( \w{1,4})+", grouped)
    assert grouped in html
    assert "Quote this reference exactly" in html
    assert "Ràdio" in html
    assert "€12.50" in html
    assert "DE89 3704 0044 0532 0130 00" in html
    assert "COBADEFFXXX" in html
    assert "Àlgebra Cooperativa SCCL" in html
    assert "Last day of grace" in html and "Jan 31, 2026" in html
    assert response.context["page"].status == "open"
    assert '{% include "contributions/_pay_online.html" %}' not in html
    with open("static/css/invoice.css") as css:
        assert "@media print" in css.read()
    assert "css/invoice.css" in html


@freeze_time("2026-01-10")
def test_a_partial_payment_leaves_the_rest_outstanding(client, world):
    DuesPaymentFactory(invoice=world["invoice"], amount=Decimal("5.00"))
    response = page(client, world["member"], world["invoice"])
    facts = dict(response.context["facts"])
    assert facts["Paid so far"] == "€5.00"
    assert facts["Outstanding"] == "€7.50"
    assert response.context["page"].status == "open"


def test_unpaid_after_the_grace_it_is_overdue_and_paid_in_full_it_is_paid(client, world):
    with freeze_time("2026-01-31"):  # due Jan 1, 30 days of grace
        assert page(client, world["member"], world["invoice"]).context["page"].status == "open"
    with freeze_time("2026-02-01"):
        response = page(client, world["member"], world["invoice"])
        assert response.context["page"].status == "overdue"
        assert "overdue" in response.content.decode()
        DuesPaymentFactory(invoice=world["invoice"], paid_on=datetime.date(2026, 2, 1))
        assert page(client, world["member"], world["invoice"]).context["page"].status == "paid"


def test_a_steward_outside_sepa_shows_its_other_details(client, world):
    world["steward"].iban = ""
    world["steward"].bic = ""
    world["steward"].other_account_details = "Bank of Montréal, transit 00011, account 1234567"
    world["steward"].save()
    html = page(client, world["member"], world["invoice"]).content.decode()
    assert "Bank of Montréal, transit 00011, account 1234567" in html


def test_a_steward_without_bank_details_says_whom_to_ask(client, world):
    world["steward"].iban = ""
    world["steward"].bic = ""
    world["steward"].save()
    html = page(client, world["member"], world["invoice"]).content.decode()
    assert 'id="no-bank-details"' in html
    assert "diners@algebra.example" in html


def test_the_pdf_has_the_same_facts_with_euro_and_accents(client, world, monkeypatch):
    monkeypatch.setattr(invoice_views, "COMPRESS_PDF", False)
    response = page(client, world["member"], world["invoice"], "contributions:invoice_pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert iso11649.format(world["invoice"].reference) in text
    assert "Núria Pérez" in text
    assert "€12.50" in text
    assert "DE89 3704 0044 0532 0130 00" in text


@pytest.mark.parametrize(
    ("name", "drawn"),
    [
        ("עמותת שיתוף", "ףותיש תתומע"),  # Hebrew
        ("شركة التعاون", "نواعتلا ةكرش"),  # Arabic
    ],
)
def test_a_right_to_left_name_is_drawn_right_to_left_in_the_pdf(
    client, world, monkeypatch, name, drawn
):
    """Drawn left to right letter by letter, an RTL name read backwards on paper."""
    monkeypatch.setattr(invoice_views, "COMPRESS_PDF", False)
    member = world["invoice"].membership.member
    member.name = name
    member.save(update_fields=["name"])

    response = page(client, world["member"], world["invoice"], "contributions:invoice_pdf")

    text = pdf_text(response.content)
    assert drawn in text  # the glyphs from left to right: the first letter is the rightmost
    assert name not in text
    assert "Núria" not in text and "€12.50" in text  # the rest still reads left to right


def test_the_compressed_pdf_reads_the_same(client, world):
    response = page(client, world["member"], world["invoice"], "contributions:invoice_pdf")
    assert response.content.startswith(b"%PDF")
    assert iso11649.format(world["invoice"].reference) in pdf_text(response.content)


def test_the_pdf_is_in_the_readers_language(client, world, monkeypatch):
    monkeypatch.setattr(invoice_views, "COMPRESS_PDF", False)
    client.force_login(world["member"])
    response = client.get(
        reverse("contributions:invoice_pdf", args=[world["invoice"].pk]),
        HTTP_ACCEPT_LANGUAGE="ca",
    )
    assert "12,50 €" in pdf_text(response.content)


def test_the_pages_queries_do_not_grow_with_payments(client, world, django_assert_max_num_queries):
    client.force_login(world["member"])
    url = reverse("contributions:invoice_detail", args=[world["invoice"].pk])
    client.get(url)
    for _ in range(5):
        DuesPaymentFactory(invoice=world["invoice"], amount=Decimal("1.00"))
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    admin = world["own_admin"]
    client.force_login(admin)
    for i in range(5):  # more invoices at the steward do not cost more
        DuesInvoiceFactory(
            membership=MembershipFactory(steward=world["steward"]),
            period_start=datetime.date(2026, 2, 1) + datetime.timedelta(days=i),
        )
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    assert DuesInvoice.objects.count() == 6
