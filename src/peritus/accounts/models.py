"""Users (logins), persons (the people certified), roles, personnel agreements and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, override

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from peritus.core.models import TimeStampedModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_superuser=True, is_staff=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Signs in with an email address; staff also with a second factor."""

    email = models.EmailField(_("email address"), unique=True)
    given_names = models.CharField(
        _("given names"), max_length=150, help_text=_("As on your identity document")
    )
    family_name = models.CharField(
        _("family name"), max_length=150, help_text=_("As on your identity document")
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text=_("May open the technical admin site (administrators only).")
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["given_names", "family_name"]

    class Meta:
        ordering = ["family_name", "given_names", "email"]

    @override
    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.given_names


class Person(TimeStampedModel):
    """A person the body certifies (applicant, candidate, certified person).

    Separate from `User`: a person imported from a previous register may never sign in, and the
    legal name on a certificate must not change when someone edits their login profile.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    given_names = models.CharField(_("given names"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    preferred_language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    external_reference = models.CharField(
        max_length=64, blank=True, db_index=True, help_text=_("Identifier in a previous system")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        indexes = [models.Index(fields=["family_name", "given_names"])]

    @override
    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()


class Role(models.Model):
    """A role of product.md §1; rows come from `roles.ROLE_DEFINITIONS` by a data migration."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    scheme_scoped = models.BooleanField(default=True)
    needs_agreement = models.BooleanField(default=True)
    read_only = models.BooleanField(default=False)
    time_limited = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    @override
    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def current(self, on: dt.date | None = None) -> RoleAssignmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, valid_from__lte=on).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on)
        )


class RoleAssignment(TimeStampedModel):
    """A person holds a role, for every scheme or for one, from a date and possibly until one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    scheme = models.ForeignKey(
        "schemes.Scheme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("Empty: the role applies to every scheme"),
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_(
            "Examiners: the languages they are approved to assess in (R14). Empty: every language."
        ),
    )
    valid_from = models.DateField(default=timezone.localdate)
    valid_until = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RoleAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id", "role_id", "valid_from"]

    @override
    def __str__(self) -> str:
        where = f" ({self.scheme})" if self.scheme_id else ""
        return f"{self.user} — {self.role}{where}"


class AgreementVersion(TimeStampedModel):
    """A version of the confidentiality, impartiality and interests agreement (clause 6.1.x)."""

    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    body = models.TextField()
    roles = models.ManyToManyField(Role, related_name="agreement_versions")
    effective_from = models.DateField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "version"], name="agreement_title_version_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    """A person accepted one agreement version: exactly which, when and from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreement_acceptances"
    )
    agreement = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-accepted_at"]

    @override
    def __str__(self) -> str:
        return f"{self.user} accepted {self.agreement} on {self.accepted_at:%Y-%m-%d}"


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read the records the owner may see")
        WRITE = "write", _("Act as the owner (decisions, issuing) within their roles")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @override
    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
