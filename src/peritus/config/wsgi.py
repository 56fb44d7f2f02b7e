import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peritus.config.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: anonymous verification is answered in front of the middleware
# stack, everything else by Django (peritus/registry/responder.py, ADR 0024).
from peritus.registry.responder import VerificationResponder  # noqa: E402

application = VerificationResponder(django_application)
