"""Text a steward's page shows, written per language in the admin (django-modeltranslation):
``description_ca``, ``description_es``...; an empty one falls back to the default language."""

from modeltranslation.translator import TranslationOptions, register

from .models import Steward


@register(Steward)
class StewardTranslation(TranslationOptions):
    fields = ("description",)
