"""Certification schemes (ISO/IEC 17024 clause 8)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peritus.core.models import TimeStampedModel


class Scheme(TimeStampedModel):
    """A certification scheme: one category of certified persons, with versions over time."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
