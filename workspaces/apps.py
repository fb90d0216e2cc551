from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Accounts and workspaces"

    def ready(self) -> None:
        from workspaces import signals  # noqa: F401 — connects the token revocations
