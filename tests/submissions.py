"""Helpers for the tests of forms sent twice (``meetcoop.core.submissions``)."""

import re

from django.contrib.messages import get_messages

from meetcoop.core.submissions import FIELD

_HIDDEN = re.compile(rf'<input type="hidden" name="{FIELD}" value="([^"]+)">')
ALREADY_SENT = "This form was already sent; it was recorded once."


def keys_on(response) -> list[str]:
    """The one-time keys of the forms on a page, in the page's order."""
    return _HIDDEN.findall(response.content.decode())


def key_on(client, url: str, index: int = 0) -> str:
    """The one-time key of the ``index``-th form of the page at ``url``, as a browser gets it."""
    page = client.get(url)
    assert page.status_code == 200
    return keys_on(page)[index]


def sent_twice(client, url: str, data: dict):
    """``data`` posted twice to ``url`` with the key the page gave: the two answers."""
    data = {**data, FIELD: key_on(client, url)}
    return client.post(url, data), client.post(url, data)


def told_already_sent(response) -> bool:
    """Whether the answer to a second post said the form had been recorded once."""
    return ALREADY_SENT in [str(m) for m in get_messages(response.wsgi_request)]
