"""A circle's purpose, written per language in the admin (django-modeltranslation); an empty
translation falls back to the default language. Circle names stay one name."""

from modeltranslation.translator import TranslationOptions, register

from .models import Circle


@register(Circle)
class CircleTranslation(TranslationOptions):
    fields = ("purpose",)
