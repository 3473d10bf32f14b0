"""Email addresses as the co-op compares them: one spelling per mailbox.

Django's ``EmailField`` accepts spellings that mail delivery folds into another address:

- a domain with characters IDNA's nameprep drops or maps (sending converts the domain with
  IDNA, ``sanitize_address``): a soft hyphen or a zero-width space, invisible on the page,
  or a full-width or "mathematical" letter. ``nuria@exam<soft hyphen>ple.org`` and
  ``nuria@ｅxample.org`` reach the mailbox of ``nuria@example.org``;
- a quoted local part that needs no quotes: ``"nuria"@example.org`` is ``nuria@example.org``
  (RFC 5321, 4.1.2).

Compared as typed they were other addresses: a second open application at a steward, and an
approval that took a member's address for a new one and never asked its owner.

- a domain in its ASCII (punycode) spelling: ``nuria@xn--mnchen-3ya.de`` is what sending
  makes of ``nuria@münchen.de``, so both reach one mailbox.

``email_canonical`` writes such an address the way delivery reads it, in lower case, with an
internationalised domain in Unicode (``münchen.de`` stays readable, and
``xn--mnchen-3ya.de`` is written ``münchen.de``). A domain that only looks like another
(``gmaıl.com`` with a dotless i) is another domain, and stays one.
"""

import contextlib
import re

# A quoted local part whose content would be a valid local part without the quotes.
_NEEDLESSLY_QUOTED = re.compile(
    r"\"([-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*)\"", re.I | re.ASCII
)
# A label of a domain in its ASCII (punycode) spelling.
_PUNYCODE_LABEL = re.compile(r"(?:^|\.)xn--", re.I)


def email_canonical(email: str) -> str:
    """``email`` stripped and lower-cased, spelled as mail delivery reads it."""
    email = (email or "").strip()
    local, at, domain = email.rpartition("@")
    if not at:
        return email.lower()
    if quoted := _NEEDLESSLY_QUOTED.fullmatch(local):
        local = quoted.group(1)
    if not domain.isascii():
        # A domain IDNA can't write (a label too long) is compared as typed.
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("idna")
    elif _PUNYCODE_LABEL.search(domain):
        # The ASCII spelling of an internationalised domain, written in Unicode as above; a
        # label that is not valid punycode is compared as typed.
        with contextlib.suppress(UnicodeError):
            domain = domain.lower().encode("ascii").decode("idna")
    return f"{local}@{domain}".lower()
