import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetcoop.users.models import User
from membership.models import Membership, StatusRun
from membership.reasons import reason_text
from membership.selectors import members_of_user
from standing.services import status_recompute


class Command(BaseCommand):
    help = (
        "Recompute which memberships are active or lapsed, with the reasons. "
        "Only active <-> lapsed changes; pending, suspended and ended are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Evaluate as on this day (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would change and why; write nothing."
        )
        parser.add_argument("--member", help="Only the memberships of this member (email).")
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help=(
                "The login of the person running the command, recorded on the run and in the "
                "audit log (default: nobody, as when cron runs it)."
            ),
        )

    def handle(self, *args, date=None, dry_run=False, member=None, by=None, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(
                _("--date must be YYYY-MM-DD, not %(date)r.") % {"date": date}
            ) from exc
        actor = None
        if by:
            actor = User.objects.filter(email__iexact=by).first()
            if actor is None:
                raise CommandError(_("No login with the email %(email)s.") % {"email": by})
        memberships = None
        # Everyone: the command's own run (cron's nightly, where no Celery beat runs).
        source = "command"
        if member:
            # The member with this email, or those the login with this email acts for
            # (logins' emails are stored lower-case: one login at most).
            login = User.objects.filter(email__iexact=member).first()
            memberships = Membership.objects.filter(
                Q(member__email__iexact=member) | Q(member__in=members_of_user(login)),
                status__in=["active", "lapsed"],
            ).distinct()
            if not memberships.exists():
                raise CommandError(
                    _("No active or lapsed membership for %(member)s.") % {"member": member}
                )
            source = "on_demand"
        run, evaluations = status_recompute(
            on=on, source=source, actor=actor, dry_run=dry_run, memberships=memberships
        )
        if run.state == StatusRun.State.SKIPPED:
            self.stdout.write(
                self.style.WARNING(_("Another status recompute is running; this one stops."))
            )
            return
        names = dict(
            Membership.objects.filter(
                pk__in=[e.membership_id for e in evaluations if e.changes]
            ).values_list("pk", "member__email")
        )
        for evaluation in evaluations:
            if not evaluation.changes:
                continue
            why = " ".join(reason_text(r.as_json()) for r in evaluation.reasons if not r.ok)
            if not why:
                why = _("All rules pass.")
            self.stdout.write(
                f"{names.get(evaluation.membership_id, evaluation.membership_id)} "
                f"({evaluation.type}): {evaluation.status} -> {evaluation.new_status}. {why}"
            )
        summary = (
            _(
                "%(on)s: evaluated %(evaluated)s, would change: %(active)s to active, "
                "%(lapsed)s to lapsed; %(unchanged)s unchanged (%(seconds)s s)."
            )
            if dry_run
            else _(
                "%(on)s: evaluated %(evaluated)s, changed: %(active)s to active, "
                "%(lapsed)s to lapsed; %(unchanged)s unchanged (%(seconds)s s)."
            )
        )
        self.stdout.write(
            self.style.SUCCESS(
                summary
                % {
                    "on": on,
                    "evaluated": run.evaluated,
                    "active": run.became_active,
                    "lapsed": run.lapsed,
                    "unchanged": run.unchanged,
                    "seconds": run.seconds,
                }
            )
        )
