"""Form helpers shared by the apps' views."""

from django.core.exceptions import ValidationError


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: each message on its field when the
    form has that field, otherwise above the form. What the person typed stays in the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        for message in error.messages:
            form.add_error(None, message)
