"""Importing a co-op's existing records (issue 16): members, contacts, memberships, opening
contributions, circle seats, past meetings with attendance, and terms acceptances, from CSV
files or an XLSX workbook.

``readers`` turns the files into sheets of rows, ``checks`` checks every row and prepares what
to write (nothing is written while any row has an error), ``writers`` writes it all in one
transaction, set-based. ``standing.services.coop_import`` is the one entry point; the
``import_coop`` command and the admin's import page call it. The columns are in
``docs/import.md``.
"""
