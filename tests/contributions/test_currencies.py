"""Each amount in its own currency: a steward's prices and dues in the currencies it takes,
and the co-op's dated exchange rate wherever an amount counts toward a commitment in euros."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contributions import services
from contributions.models import DuesInvoice, LedgerEntry
from meetcoop.core.errors import DomainError
from meetcoop.core.models import AppendOnlyError
from membership import services as membership_services
from membership.selectors import conversion_rate, exchange_rate_on
from tests.factories import (
    ExchangeRateFactory,
    MemberFactory,
    MembershipFactory,
    PolicyFactory,
    ServiceLevelFactory,
    StewardFactory,
    StewardOfferFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date


@pytest.fixture
def canadian():
    PolicyFactory()
    level = ServiceLevelFactory(code="standard", minimum_amount=Decimal("10.00"), currency="EUR")
    steward = StewardFactory(currencies=["CAD", "EUR"], languages=["en", "fr"])
    return steward, level


def test_the_rate_in_force_is_the_latest_to_start_and_its_latest_correction():
    ExchangeRateFactory(effective_from=DAY(2026, 1, 1), rate=Decimal("0.70"))
    first = ExchangeRateFactory(effective_from=DAY(2026, 6, 1), rate=Decimal("0.60"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    fix = membership_services.exchange_rate_record(
        currency="CAD", base="EUR", rate="0.65", effective_from=DAY(2026, 6, 1), actor=admin
    )
    assert fix.corrects == first  # the correction points at the row it corrects
    assert conversion_rate(currency="CAD", base="EUR", on=DAY(2026, 5, 31)) == Decimal("0.70")
    assert conversion_rate(currency="CAD", base="EUR", on=DAY(2026, 6, 1)) == Decimal("0.65")
    assert conversion_rate(currency="EUR", base="EUR", on=DAY(2026, 6, 1)) == 1
    assert exchange_rate_on(currency="CAD", base="EUR", on=DAY(2025, 12, 31)) is None
    with pytest.raises(DomainError, match="No exchange rate from CAD to EUR"):
        conversion_rate(currency="CAD", base="EUR", on=DAY(2025, 12, 31))


def test_a_rate_is_never_changed_or_deleted_and_must_be_positive():
    rate = ExchangeRateFactory()
    rate.rate = Decimal("2")
    with pytest.raises(AppendOnlyError):
        rate.save()
    with pytest.raises(AppendOnlyError):
        rate.delete()
    admin = UserFactory(is_staff=True, is_superuser=True)
    for bad in ("0", "-1", "abc", "NaN"):
        with pytest.raises(DomainError):
            membership_services.exchange_rate_record(
                currency="CAD", base="EUR", rate=bad, effective_from=DAY(2026, 1, 1), actor=admin
            )
    with pytest.raises(DomainError):
        membership_services.exchange_rate_record(
            currency="EUR", base="EUR", rate="1", effective_from=DAY(2026, 1, 1), actor=admin
        )


def test_recording_the_same_rate_twice_records_it_once():
    admin = UserFactory(is_staff=True, is_superuser=True)
    kwargs = {"currency": "CAD", "base": "EUR", "effective_from": DAY(2026, 1, 1), "actor": admin}
    first = membership_services.exchange_rate_record(rate="0.68", **kwargs)
    again = membership_services.exchange_rate_record(rate="0.680", **kwargs)
    assert again == first


def test_a_canadian_stewards_dues_are_in_canadian_dollars(canadian):
    steward, level = canadian
    ExchangeRateFactory(rate=Decimal("0.68"))
    StewardOfferFactory(
        steward=steward, service_level=level, price=Decimal("15.00"), price_currency="CAD"
    )
    membership = MembershipFactory(steward=steward, service_level=level)
    invoice = services.dues_invoice_issue_first(membership=membership, on=DAY(2026, 1, 1))
    assert (invoice.amount, invoice.currency) == (Decimal("15.00"), "CAD")
    # The next period's invoice, issued by the nightly set-based job, keeps the price too.
    assert services.dues_invoices_issue_next(on=DAY(2026, 2, 1)) == 1
    nxt = DuesInvoice.objects.get(membership=membership, period_start=DAY(2026, 2, 1))
    assert (nxt.amount, nxt.currency) == (Decimal("15.00"), "CAD")


def test_without_a_price_the_dues_are_the_levels_minimum(canadian):
    steward, level = canadian
    StewardOfferFactory(steward=steward, service_level=level)
    membership = MembershipFactory(steward=steward, service_level=level)
    invoice = services.dues_invoice_issue_first(membership=membership, on=DAY(2026, 1, 1))
    assert (invoice.amount, invoice.currency) == (Decimal("10.00"), "EUR")


def test_a_price_must_be_in_a_currency_the_steward_takes_and_not_below_the_minimum(canadian):
    steward, level = canadian
    ExchangeRateFactory(rate=Decimal("0.68"))
    offer = StewardOfferFactory.build(steward=steward, service_level=level)
    offer.price, offer.price_currency = Decimal("20"), "USD"
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert "does not take USD" in str(error.value)
    offer.price, offer.price_currency = Decimal("14.00"), "CAD"  # 9.52 EUR < 10 EUR
    with pytest.raises(ValidationError) as error:
        offer.full_clean()
    assert "below the level's minimum" in str(error.value)
    offer.price = Decimal("14.71")  # 10.0028 EUR
    offer.full_clean()
    offer.price_currency = ""
    with pytest.raises(ValidationError, match="both the price and its currency"):
        offer.full_clean()


def test_a_price_in_a_currency_without_a_rate_is_refused_with_what_to_do(canadian):
    steward, level = canadian
    offer = StewardOfferFactory.build(
        steward=steward, service_level=level, price=Decimal("20"), price_currency="CAD"
    )
    with pytest.raises(ValidationError, match="No exchange rate from CAD to EUR"):
        offer.full_clean()


def give(member, treasurer, received_on, **kwargs):
    """A treasurer records 100 CAD that ``member`` gave on ``received_on``."""
    return services.money_record(
        member=member,
        amount="100",
        currency="CAD",
        received_on=received_on,
        description="Gift",
        actor=treasurer,
        on=DAY(2026, 4, 1),
        **kwargs,
    )


def test_money_in_another_currency_counts_at_the_dated_rate_of_the_day_received(canadian):
    ExchangeRateFactory(effective_from=DAY(2026, 1, 1), rate=Decimal("0.70"))
    ExchangeRateFactory(effective_from=DAY(2026, 3, 1), rate=Decimal("0.60"))
    treasurer = UserFactory(is_staff=True, is_superuser=True)
    member = MemberFactory()
    entry = give(member, treasurer, DAY(2026, 2, 15))
    assert (entry.eur_rate, entry.eur_value) == (Decimal("0.70"), Decimal("70.00"))
    assert give(member, treasurer, DAY(2026, 3, 2)).eur_value == Decimal("60.00")
    # A rate typed by the treasurer still wins (the bank's own rate on the day).
    typed = give(member, treasurer, DAY(2026, 3, 2), eur_rate="0.65")
    assert typed.eur_value == Decimal("65.00")


def test_money_in_a_currency_without_a_rate_is_refused_and_nothing_is_recorded(canadian):
    treasurer = UserFactory(is_staff=True, is_superuser=True)
    with pytest.raises(DomainError, match="No exchange rate from CAD"):
        give(MemberFactory(), treasurer, DAY(2026, 2, 15))
    assert not LedgerEntry.objects.exists()


def test_a_revenue_report_in_cad_uses_the_rate_of_the_quarters_last_day(canadian):
    steward, _level = canadian
    ExchangeRateFactory(effective_from=DAY(2026, 1, 1), rate=Decimal("0.70"))
    ExchangeRateFactory(effective_from=DAY(2026, 4, 1), rate=Decimal("0.50"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    report = services.revenue_report_submit(
        steward=steward,
        quarter_start=DAY(2026, 1, 1),
        revenue="1000",
        currency="CAD",
        actor=admin,
        on=DAY(2026, 4, 15),
    )
    assert (report.eur_rate, report.revenue_eur) == (Decimal("0.70"), Decimal("700.00"))
