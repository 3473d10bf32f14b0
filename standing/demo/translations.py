# ruff: noqa: E501 (sentences of text, kept whole)
"""The demo's own text in each language the site ships: steward descriptions, service
levels and circles' purposes, as a co-op admin would write them per language in the admin.
Only an empty field is filled, so a change made in the admin is never overwritten."""

from governance.models import Circle
from membership.models import ServiceLevel
from resellers.models import Steward

STEWARDS = {
    "meet-coop": {
        "ca": "La mateixa cooperativa: sales gratuïtes, organitzacions, configuracions a mida i esdeveniments.",
        "es": "La propia cooperativa: salas gratuitas, organizaciones, configuraciones a medida y eventos.",
        "fr": "La coopérative elle-même : salles gratuites, organisations, configurations sur mesure et événements.",
        "de": "Die Genossenschaft selbst: kostenlose Räume, Organisationen, maßgeschneiderte Lösungen und Veranstaltungen.",
    },
    "comuns-reunits": {
        "ca": "Un col·lectiu de Barcelona que dona servei a grups de parla catalana i castellana.",
        "es": "Un colectivo de Barcelona que da servicio a grupos de habla catalana y castellana.",
        "fr": "Un collectif barcelonais au service des groupes catalanophones et hispanophones.",
        "de": "Ein Kollektiv aus Barcelona für katalanisch- und spanischsprachige Gruppen.",
    },
    "maple-rooms": {
        "ca": "Sales per a cooperatives canadenques, pagades en dòlars canadencs.",
        "es": "Salas para cooperativas canadienses, pagadas en dólares canadienses.",
        "fr": "Des salles pour les coopératives canadiennes, payées en dollars canadiens.",
        "de": "Räume für kanadische Genossenschaften, bezahlt in kanadischen Dollar.",
    },
    "nordwind": {
        "ca": "Un petit revenedor per a associacions de parla alemanya.",
        "es": "Un pequeño revendedor para asociaciones de habla alemana.",
        "fr": "Un petit revendeur pour les associations germanophones.",
        "de": "Ein kleiner Wiederverkäufer für deutschsprachige Vereine.",
    },
}

# code: {language: (name, description)}
LEVELS = {
    "small": {
        "ca": ("Petita", "Una sala, fins a 25 persones."),
        "es": ("Pequeña", "Una sala, hasta 25 personas."),
        "fr": ("Petite", "Une salle, jusqu'à 25 personnes."),
        "de": ("Klein", "Ein Raum für bis zu 25 Personen."),
    },
    "medium": {
        "ca": ("Mitjana", "Cinc sales, fins a 75 persones."),
        "es": ("Mediana", "Cinco salas, hasta 75 personas."),
        "fr": ("Moyenne", "Cinq salles, jusqu'à 75 personnes."),
        "de": ("Mittel", "Fünf Räume für bis zu 75 Personen."),
    },
    "large": {
        "ca": ("Gran", "Vint sales, fins a 250 persones."),
        "es": ("Grande", "Veinte salas, hasta 250 personas."),
        "fr": ("Grande", "Vingt salles, jusqu'à 250 personnes."),
        "de": ("Groß", "Zwanzig Räume für bis zu 250 Personen."),
    },
    "free": {
        "ca": ("Gratuïta", "Una sala per a qui no pot pagar."),
        "es": ("Gratuita", "Una sala para quien no puede pagar."),
        "fr": ("Gratuite", "Une salle pour les personnes qui ne peuvent pas payer."),
        "de": ("Kostenlos", "Ein Raum für alle, die nicht zahlen können."),
    },
    "organization": {
        "ca": ("Organització", "Sales per a tota una organització."),
        "es": ("Organización", "Salas para toda una organización."),
        "fr": ("Organisation", "Des salles pour toute une organisation."),
        "de": ("Organisation", "Räume für eine ganze Organisation."),
    },
    "custom": {
        "ca": ("A mida", "Una configuració acordada amb la cooperativa."),
        "es": ("A medida", "Una configuración acordada con la cooperativa."),
        "fr": ("Sur mesure", "Une configuration convenue avec la coopérative."),
        "de": ("Individuell", "Eine mit der Genossenschaft vereinbarte Einrichtung."),
    },
    "event": {
        "ca": ("Esdeveniment", "Un gran esdeveniment puntual, amb suport."),
        "es": ("Evento", "Un gran evento puntual, con soporte."),
        "fr": ("Événement", "Un grand événement ponctuel, avec accompagnement."),
        "de": ("Veranstaltung", "Eine große einmalige Veranstaltung mit Betreuung."),
    },
}

CIRCLES = {
    "tech": {
        "ca": "Manté i millora els servidors de BigBlueButton i Greenlight.",
        "es": "Mantiene y mejora los servidores de BigBlueButton y Greenlight.",
        "fr": "Fait tourner et améliore les serveurs BigBlueButton et Greenlight.",
        "de": "Betreibt und verbessert die BigBlueButton- und Greenlight-Server.",
    },
    "outreach": {
        "ca": "Troba nous membres i acompanya els revenedors.",
        "es": "Encuentra nuevos miembros y acompaña a los revendedores.",
        "fr": "Trouve de nouveaux membres et accompagne les revendeurs.",
        "de": "Gewinnt neue Mitglieder und betreut die Wiederverkäufer.",
    },
    "finance": {
        "ca": "Porta els comptes, emet les quotes i segueix la part dels ingressos dels revenedors.",
        "es": "Lleva las cuentas, emite las cuotas y sigue la parte de ingresos de los revendedores.",
        "fr": "Tient les comptes, facture les cotisations et suit la quote-part des revendeurs.",
        "de": "Führt die Bücher, stellt Beiträge in Rechnung und verfolgt den Umsatzanteil.",
    },
    "membership": {
        "ca": "Acull els nous membres i té cura dels documents de govern.",
        "es": "Acoge a los nuevos miembros y cuida los documentos de gobierno.",
        "fr": "Accueille les nouveaux membres et veille sur les documents de gouvernance.",
        "de": "Begrüßt neue Mitglieder und pflegt die Dokumente der Mitbestimmung.",
    },
}  # fmt: skip


def _fill(obj, values: dict) -> None:
    changed = [field for field, value in values.items() if not getattr(obj, field)]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        type(obj).objects.filter(pk=obj.pk).update(**{field: values[field] for field in changed})


def seed(out, today) -> None:
    for steward in Steward.objects.filter(slug__in=STEWARDS):
        _fill(
            steward, {f"description_{lang}": text for lang, text in STEWARDS[steward.slug].items()}
        )
    for level in ServiceLevel.objects.filter(code__in=LEVELS):
        values = {}
        for lang, (name, description) in LEVELS[level.code].items():
            values[f"name_{lang}"] = name
            values[f"description_{lang}"] = description
        _fill(level, values)
    for circle in Circle.objects.filter(slug__in=CIRCLES):
        _fill(circle, {f"purpose_{lang}": text for lang, text in CIRCLES[circle.slug].items()})
