from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """``{{ counts|dictget:"active" }}``: a dictionary's value, 0 when absent."""
    if not mapping:
        return 0
    return mapping.get(key, 0)
