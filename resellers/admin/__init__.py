"""The Django admin of the resellers app, one module per seam (importing them registers them):

- ``stewards``: stewards and their offered levels;
- ``applications``: applications and the steward's admins' decisions on them;
- ``concerns``: Fair Use and service concerns, decided through an action.
"""

from . import applications, concerns, stewards

__all__ = ["applications", "concerns", "stewards"]
