"""Which language each person reads: the languages the site ships (``LANGUAGES``, each with a
complete catalogue), and how a person's own choice wins over the browser's.

* A signed-in person's choice (``User.language``, set from the header's switcher, ``/me/`` or
  the admin) is used for every page they see (``UserLanguageMiddleware``) and every email
  written to them.
* A visitor's choice is kept in Django's language cookie (``set_language``); without one,
  the browser's ``Accept-Language`` decides (``LocaleMiddleware``).
* A steward's application form is offered in the languages that steward serves in
  (``steward_language``).
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation


def language_choices() -> list[tuple[str, str]]:
    """(code, name) of every language the site ships. A callable, so a model field's choices
    follow the setting without a migration."""
    return list(settings.LANGUAGES)


def shipped(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def language_or_default(code: str | None) -> str:
    """``code`` when the site ships it, else the site's default language."""
    return code if shipped(code) else settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """A language's name in that language itself ("català", "Deutsch"), as a switcher shows
    it, so a person finds their own whatever the page's language."""
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        return code


def language_options(codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(code, own name) for the given codes (every shipped language by default)."""
    codes = [code for code in (codes or dict(settings.LANGUAGES)) if shipped(code)]
    return [(code, language_name(code)) for code in codes]


def steward_language(languages: list[str] | None, wanted: str | None = None) -> str:
    """The language a steward's form is shown in: the one asked for (``wanted``) or the
    reader's current one when the steward serves in it, else the steward's first language
    the site ships, else the site's default."""
    offered = [code for code in (languages or []) if shipped(code)]
    for code in (wanted, translation.get_language()):
        if code and code in offered:
            return code
    return offered[0] if offered else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Show a signed-in person every page in the language they chose. Placed after
    ``AuthenticationMiddleware``; ``LocaleMiddleware`` (outside it) still sets the response's
    ``Content-Language`` from the language active at the end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and shipped(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
