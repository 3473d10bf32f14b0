"""The one domain error.

Every service refuses with ``DomainError``: a ``ValidationError`` whose messages are written
for people. Forms show it with ``meetcoop.core.forms.add_service_error`` (each message on its
field when the form has it, otherwise above the form); admin actions and views show it with
``meetcoop.core.admin.message_domain_error``. A form that calls a service therefore needs no
glue, and a refusal raised deep inside a transaction (a signal receiver, say) rolls it back and
reaches the person as the same message.
"""

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the co-op refuses what was asked.

    ``DomainError(message)`` is shown above a form; ``DomainError(message, field="email")``
    on the form's ``email`` field when the form has one. ``code`` names the refusal for
    callers that must tell refusals apart (``"already_decided"``, ``"policy_missing"``).
    """

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        self.field = field
        self.text = str(message)
        if field:
            super().__init__({field: [ValidationError(message, code=code)]})
            self.code = code  # as a message without a field has it
        else:
            super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.text
