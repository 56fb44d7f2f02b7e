"""URL map. Each Django app owns its URL space in its own `urls.py` (mounted here in app order),
so adding a capability never edits this file."""

from __future__ import annotations

import importlib.util

from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from peritus.config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("peritus.web.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

for app_config in apps.get_app_configs():
    module_name = f"{app_config.name}.urls"
    if (
        app_config.name.startswith("peritus.")
        and app_config.label != "web"
        and importlib.util.find_spec(module_name)
    ):
        urlpatterns.append(path("", include(module_name)))

handler400 = "peritus.web.views.error_400"
handler403 = "peritus.web.views.error_403"
handler404 = "peritus.web.views.error_404"
handler500 = "peritus.web.views.error_500"
