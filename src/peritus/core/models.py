"""Shared model bases. No business rules live here."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Every record says when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
