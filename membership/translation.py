"""Service levels named and described per language in the admin (django-modeltranslation);
an empty translation falls back to the default language."""

from modeltranslation.translator import TranslationOptions, register

from .models import ServiceLevel


@register(ServiceLevel)
class ServiceLevelTranslation(TranslationOptions):
    fields = ("name", "description")
