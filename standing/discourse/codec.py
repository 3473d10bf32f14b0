"""DiscourseConnect's payloads: a URL-encoded query string, base64-encoded, signed with
HMAC-SHA256 of the base64 text under the shared secret, the signature in lowercase hex.

The same encoding serves both ways: the request Discourse sends (``nonce``,
``return_sso_url``), the answer the platform sends back, and the ``sync_sso`` pushes."""

import base64
import binascii
import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode


class PayloadError(ValueError):
    """The payload is not a signed DiscourseConnect payload under our secret."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "bad_signature" or "bad_payload"


def sign(sso: str, secret: str) -> str:
    return hmac.new(secret.encode(), sso.encode(), hashlib.sha256).hexdigest()


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(value)
    return str(value)


def encode(fields: dict, secret: str) -> tuple[str, str]:
    """``(sso, sig)`` for ``fields``; a ``None`` value is left out, booleans are ``true`` or
    ``false`` and lists are joined with commas."""
    query = urlencode([(key, _text(value)) for key, value in fields.items() if value is not None])
    sso = base64.b64encode(query.encode()).decode("ascii")
    return sso, sign(sso, secret)


def decode(sso: str, sig: str, secret: str) -> dict[str, str]:
    """The fields of a signed payload. The signature is checked first, in constant time,
    over the base64 text exactly as received."""
    expected = sign(sso, secret).encode()
    if not sso or not sig or not hmac.compare_digest(expected, sig.strip().lower().encode()):
        raise PayloadError("bad_signature")
    try:
        raw = base64.b64decode("".join(sso.split()), validate=True)
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise PayloadError("bad_payload") from None
    return dict(pairs)
