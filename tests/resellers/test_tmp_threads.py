import threading

import pytest
from django.db import connection, transaction

from membership.models import Policy
from tests.factories import PolicyFactory


@pytest.mark.django_db(transaction=True)
def test_threads():
    p = PolicyFactory()
    errors = []
    done = []

    def work():
        try:
            with transaction.atomic():
                obj = Policy.objects.select_for_update().get(pk=p.pk)
                if obj.note == "":
                    obj.note = "x"
                    obj.save()
                    done.append(1)
        except Exception as e:
            errors.append(repr(e))
        finally:
            connection.close()

    ts = [threading.Thread(target=work) for _ in range(10)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(connection.settings_dict["NAME"], errors)
    assert not errors
    assert len(done) == 1
