"""The kinds of rows an import reads and their columns, in the order they are written.

Each kind comes from a file named after it (``members.csv``, ``memberships.xlsx``) or, in an
XLSX workbook, from a sheet named after it. ``docs/import.md`` explains every column.
"""

# Written in this order: a row refers only to kinds before it.
KINDS = [
    "members",
    "contacts",
    "memberships",
    "terms",
    "seats",
    "meetings",
    "attendance",
    "contributions",
]

# {kind: {column: required}}. Every kind has ``id``, the co-op's own identifier of the row.
COLUMNS: dict[str, dict[str, bool]] = {
    "members": {
        "id": True,
        "kind": True,
        "name": True,
        "organisation_name": False,
        "email": True,
        "language": False,
        "country": False,
        "postal_address": False,
    },
    "contacts": {
        "id": True,
        "member": True,
        "email": True,
        "name": False,
        "role": False,
        "main": False,
        "language": False,
    },
    "memberships": {
        "id": True,
        "member": True,
        "type": True,
        "steward": True,
        "level": False,
        "status": True,
        "policy_date": False,
        "admitted_on": False,
        "ended_on": False,
    },
    "terms": {
        "id": True,
        "member": True,
        "document": True,
        "version": True,
        "accepted_on": True,
    },
    "seats": {
        "id": True,
        "member": True,
        "circle": True,
        "role": False,
        "started_on": True,
        "ended_on": False,
    },
    "meetings": {
        "id": True,
        "kind": True,
        "circle": False,
        "title": True,
        "held_on": True,
        "minutes_url": False,
    },
    "attendance": {"id": True, "meeting": True, "member": True},
    "contributions": {
        "id": True,
        "member": True,
        "kind": True,
        "date": True,
        "description": False,
        "amount": False,
        "currency": False,
        "eur_rate": False,
        "hours": False,
        "circle": False,
        "approved_by": False,
        "approved_on": False,
    },
}
