from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """``{{ counts|dictget:"active" }}``: a dictionary's value, 0 when absent."""
    if not mapping:
        return 0
    return mapping.get(key, 0)


@register.filter
def field_anchor(bound_field):
    """``#{{ field|field_anchor }}``: the id of the control an error summary links to. A single
    control's own id (``id_email``); for a group of radios or checkboxes, its first one
    (``id_kind_0``), which a link can focus."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    subwidgets = bound_field.subwidgets
    if subwidgets and subwidgets[0].id_for_label:
        return subwidgets[0].id_for_label
    return bound_field.auto_id


@register.filter
def without_full_stop(text):
    """A label ending with a sentence's full stop, without it: "… (version 1.0)." reads
    "… (version 1.0)" before a colon in the error summary."""
    return str(text).rstrip().removesuffix(".")


@register.filter
def markdown(text):
    """``{{ version.text|markdown }}``: Markdown rendered and cleaned (``render_markdown``), for
    the terms members accept (an adopted governance text); plain text reads as paragraphs."""
    from django.utils.safestring import mark_safe

    from meetcoop.core.markdown import render_markdown

    return mark_safe(render_markdown(text))  # noqa: S308  (cleaned by nh3)
