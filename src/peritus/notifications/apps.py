from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peritus.notifications"
    label = "notifications"
    verbose_name = "Notifications"
