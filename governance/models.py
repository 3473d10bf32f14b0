"""Circles (sociocratic working groups) and who sits in them. Meetings, proposals and
documents arrive with the governance issue."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Circle(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CircleRole(models.Model):
    """A member's seat in a circle, as coordinator or member, from a start to an end date."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        MEMBER = "member", _("member")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(
        "membership.Member",
        on_delete=models.PROTECT,
        related_name="circle_roles",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("circle seat")
        verbose_name_plural = _("circle seats")
        ordering = ["circle", "role", "member__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="circle_role_ends_after_start",
                violation_error_message=_("A seat can't end before it starts."),
            )
        ]
        indexes = [models.Index(fields=["member", "started_on", "ended_on"])]

    def __str__(self):
        return f"{self.member} · {self.circle} ({self.get_role_display()})"

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A seat can't end before it starts.")})
