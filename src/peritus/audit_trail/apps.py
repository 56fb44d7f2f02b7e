from typing import override

from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    name = "peritus.audit_trail"
    label = "audit_trail"
    verbose_name = "Audit trail"

    @override
    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from peritus.audit_trail import guard

        connection_created.connect(guard.register_sqlite_guard, dispatch_uid="peritus-audit-guard")
