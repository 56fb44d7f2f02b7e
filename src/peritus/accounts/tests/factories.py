"""Factories for people and staff. Realistic defaults, no real-world personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.utils import timezone

from peritus.accounts.models import AgreementAcceptance, Person, Role, RoleAssignment, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import current_agreement_for, forget_cached_roles

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]  # factory_boy is untyped here
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@peritus.example")
    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    preferred_language = "en"

    @factory.post_generation  # type: ignore[untyped-decorator]  # factory_boy is untyped here
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class PersonFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]  # factory_boy is untyped here
    class Meta:
        model = Person

    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"holder{n}@peritus.example")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=21, maximum_age=70)


def make_user(**fields: Any) -> User:
    """A user with a verified email address and the test password."""
    user: User = UserFactory.create(**fields)
    return user


def make_person(**fields: Any) -> Person:
    """A person record (without a login unless `user` is given)."""
    person: Person = PersonFactory.create(**fields)
    return person


def make_candidate(**user_fields: Any) -> User:
    """A signed-up candidate: a user with a verified email and their person record."""
    user = make_user(**user_fields)
    make_person(
        user=user, given_names=user.given_names, family_name=user.family_name, email=user.email
    )
    return user


def grant_role(
    user: User,
    role: RoleCode | str,
    *,
    scheme: Any = None,
    accept_agreement: bool = True,
    valid_until: dt.date | None = None,
) -> RoleAssignment:
    """Give a role directly (tests only; the service is tested on its own) and accept the agreement."""
    role_row = Role.objects.get(code=str(role))
    if role_row.time_limited and valid_until is None:
        valid_until = timezone.localdate() + dt.timedelta(days=30)
    assignment = RoleAssignment.objects.create(
        user=user, role=role_row, scheme=scheme, valid_from=timezone.localdate() - dt.timedelta(days=1),
        valid_until=valid_until,
    )  # fmt: skip
    if accept_agreement:
        agreement = current_agreement_for(role_row)
        if (
            agreement is not None
            and not AgreementAcceptance.objects.filter(user=user, agreement=agreement).exists()
        ):
            AgreementAcceptance.objects.create(user=user, agreement=agreement)
    forget_cached_roles(user)
    return assignment


def enrol_totp(user: User, secret: str = TEST_TOTP_SECRET) -> Authenticator:
    """Give a staff user a TOTP authenticator (the second factor) with a known secret."""
    authenticator: Authenticator = TOTP.activate(user, secret).instance
    return authenticator


def make_staff(
    *roles: RoleCode | str, scheme: Any = None, with_totp: bool = True, **user_fields: Any
) -> User:
    user = make_user(**user_fields)
    for role in roles:
        grant_role(user, role, scheme=scheme)
    if with_totp:
        enrol_totp(user)
    return user


def office_client(client: Client, user: User) -> Client:
    """`client` signed in as `user` with a second factor, as allauth records it (office pages)."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": 0, "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
