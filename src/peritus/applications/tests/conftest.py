from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.tests.factories import make_application, make_evidence
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_published_version


@pytest.fixture
def version(db: None) -> SchemeVersion:
    return make_published_version()


@pytest.fixture
def draft(candidate: User, version: SchemeVersion) -> Application:
    """The candidate's draft: answers given, scope chosen, evidence for the one prerequisite."""
    application = make_application(user=candidate, scheme_version=version)
    application.requested_scope.set([version.scope_items.get(code="L1")])
    make_evidence(application, prerequisite=version.prerequisites.get())
    return application


@pytest.fixture
def submitted(candidate: User, version: SchemeVersion) -> Application:
    application = make_application(
        user=candidate, scheme_version=version, status=ApplicationStatus.SUBMITTED
    )
    application.requested_scope.set([version.scope_items.get(code="L1")])
    make_evidence(application, prerequisite=version.prerequisites.get())
    return application
