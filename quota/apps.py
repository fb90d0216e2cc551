from django.apps import AppConfig


class QuotaConfig(AppConfig):
    name = "quota"
    verbose_name = "Usage, subscriptions and bills"

    def ready(self) -> None:
        from quota import checks  # noqa: F401  (registers the start-up checks)
