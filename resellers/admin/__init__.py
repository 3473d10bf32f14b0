"""The Django admin of the resellers app, one module per seam (importing them registers them):

- ``stewards``: stewards and their offered levels;
- ``applications``: applications and the steward's admins' decisions on them.
"""

from . import applications, stewards

__all__ = ["applications", "stewards"]
