"""Keep the translation catalogues with Babel alone (no GNU gettext):

    manage.py catalogues extract            write locale/django.pot, every string of the code
    manage.py catalogues update [LANG...]   add new strings to the catalogues, drop gone ones
    manage.py catalogues compile            write each .mo from its .po
    manage.py catalogues check              how complete each catalogue is; fails if not 100 %

A new language: ``manage.py catalogues update pt`` makes ``locale/pt/LC_MESSAGES/django.po``.
"""

from django.core.management.base import BaseCommand, CommandError

from meetcoop.core import catalogues


class Command(BaseCommand):
    help = "Extract, update, compile or check the translation catalogues (Babel, no gettext)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["extract", "update", "compile", "check"])
        parser.add_argument("languages", nargs="*", help="Language codes (default: all shipped).")

    def handle(self, *args, action, languages, **options):
        languages = languages or catalogues.shipped_languages()
        if action == "extract":
            template = catalogues.extract()
            path = catalogues.locale_dir() / f"{catalogues.DOMAIN}.pot"
            catalogues.write(template, path)
            self.stdout.write(f"{len(template)} strings written to {path}")
        elif action == "update":
            template = catalogues.extract()
            for language in languages:
                catalog = catalogues.update(language, template)
                self.stdout.write(f"{language}: {len(catalog)} strings")
        elif action == "compile":
            for language in languages:
                if not catalogues.po_path(language).exists():
                    raise CommandError(f"No catalogue for {language!r}: run 'update {language}'.")
                catalogues.compile_catalogue(language)
            if options["verbosity"] > 1:
                self.stdout.write(f"Compiled: {', '.join(languages)}")
        else:
            template = catalogues.extract()
            incomplete = []
            for language in languages:
                report = catalogues.check(language, template)
                self.stdout.write(
                    f"{language}: {report.percent:.1f} % of {report.total} translated; "
                    f"{len(report.missing)} missing, {len(report.untranslated)} untranslated, "
                    f"{len(report.fuzzy)} fuzzy, {len(report.obsolete)} obsolete, "
                    f"{len(report.errors)} placeholder errors"
                )
                if not report.complete:
                    incomplete.append(language)
            if incomplete:
                raise CommandError(f"Incomplete catalogues: {', '.join(incomplete)}")
