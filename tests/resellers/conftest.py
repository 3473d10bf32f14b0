import pytest

from tests.factories import (
    PolicyFactory,
    ServiceLevelFactory,
    StewardAdminFactory,
    StewardFactory,
    StewardOfferFactory,
    TermsVersionFactory,
)


@pytest.fixture
def terms(db):
    """The current Terms of Use and Fair Use Agreement, by document."""
    return {
        "terms_of_use": TermsVersionFactory(document="terms_of_use", version="1.0"),
        "fair_use": TermsVersionFactory(document="fair_use", version="1.0"),
    }


@pytest.fixture
def small(db):
    return ServiceLevelFactory(code="small", name="Small", position=1)


@pytest.fixture
def large(db):
    return ServiceLevelFactory(code="large", name="Large", position=3)


@pytest.fixture
def steward(db, small):
    steward = StewardFactory(
        slug="comuns", name="Comuns Reunits", languages=["ca", "es", "en"], operational=True
    )
    StewardOfferFactory(steward=steward, service_level=small, capacity=2)
    return steward


@pytest.fixture
def other_steward(db, small):
    steward = StewardFactory(slug="maple", name="Maple Rooms", operational=True)
    StewardOfferFactory(steward=steward, service_level=small, capacity=5)
    return steward


@pytest.fixture
def setup(db, terms, steward):
    PolicyFactory()
    return steward


@pytest.fixture
def steward_admin(steward):
    return StewardAdminFactory(email="admin@comuns.example", stewards=[steward])


@pytest.fixture
def other_admin(other_steward):
    return StewardAdminFactory(email="admin@maple.example", stewards=[other_steward])
