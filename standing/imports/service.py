"""``coop_import``: check an import's files and, unless it is a dry run or a row is wrong,
write every row in one transaction. Every run, written or not, is recorded (``ImportRun``) and
audited with the files' SHA-256 and who ran it."""

import datetime
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.core.audit import audit_log
from meetcoop.core.errors import DomainError
from meetcoop.core.roles import is_coop_admin
from membership.services import everyone_recheck

from ..models import ImportRun
from .checks import Plan, check
from .readers import RowError, read_files
from .writers import write


@dataclass
class ImportResult:
    run: ImportRun
    errors: list[RowError]
    counts: dict[str, int]  # new rows per kind (written, or that would be)
    skipped: dict[str, int]  # rows per kind an earlier import wrote

    @property
    def written(self) -> bool:
        return self.run.outcome == ImportRun.Outcome.WRITTEN


def _record(*, actor, dry_run, outcome, files, plan: Plan, errors) -> ImportRun:
    run = ImportRun.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        dry_run=dry_run,
        outcome=outcome,
        files=files,
        counts=plan.counts,
        skipped=plan.skipped,
        errors=len(errors),
    )
    audit_log(
        actor=actor,
        action=f"standing.import.{outcome}",
        obj=run,
        data={
            "files": files,
            "dry_run": dry_run,
            "counts": plan.counts,
            "skipped": plan.skipped,
            "errors": len(errors),
        },
    )
    return run


def coop_import(
    *, files, actor, dry_run: bool = False, today: datetime.date | None = None
) -> ImportResult:
    """Import the co-op's records from ``files``, (name, bytes) pairs: CSV files named after
    their kind, or XLSX workbooks with a sheet per kind (``docs/import.md``).

    Every row is checked first. With any error, or for a dry run, nothing of the co-op's
    records is written; otherwise all of it is, in one transaction, or nothing. A row whose
    id an earlier import wrote is left as it is (imported history is never changed) and
    counted as already imported.

    Only a co-op admin imports (``PermissionDenied`` otherwise); ``actor`` None is the
    system (``manage.py import_coop`` without ``--by``).
    """
    if actor is not None and not is_coop_admin(actor):
        raise PermissionDenied
    today = today or timezone.localdate()
    files = list(files)
    hashes = [{"name": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in files]
    sheets, errors = read_files(files)
    plan = check(sheets, today=today, importer=getattr(actor, "email", "") or "")
    errors = errors + plan.errors
    if errors or dry_run:
        outcome = ImportRun.Outcome.REFUSED if errors else ImportRun.Outcome.CHECKED
        run = _record(
            actor=actor, dry_run=dry_run, outcome=outcome, files=hashes, plan=plan, errors=errors
        )
        return ImportResult(run=run, errors=errors, counts=plan.counts, skipped=plan.skipped)
    try:
        with transaction.atomic():
            run = _record(
                actor=actor,
                dry_run=False,
                outcome=ImportRun.Outcome.WRITTEN,
                files=hashes,
                plan=plan,
                errors=[],
            )
            write(plan, run=run, actor=actor, today=today)
            # The writers send no signal: the next night evaluates every membership.
            everyone_recheck(reason=f"import {run.pk}")
    except IntegrityError as exc:
        # Another import wrote some of the same rows (or logins) meanwhile.
        raise DomainError(
            _(
                "Another import wrote some of these rows meanwhile; nothing was written. "
                "Run it again."
            ),
            code="import_race",
        ) from exc
    return ImportResult(run=run, errors=[], counts=plan.counts, skipped=plan.skipped)
