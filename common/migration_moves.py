"""Moving models from one app to another without losing a row (used by migrations only).

The models are created in the new app's migration state only, their tables are renamed to the
new app's names, and their content types (hence permissions and admin history) follow them;
the old app then deletes them from its state only. Each step runs backwards as well.
"""

from django.db import migrations


def _move_content_types(old_app: str, new_app: str, models: list[str]):
    def forwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=old_app, model__in=models).update(app_label=new_app)

    def backwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=new_app, model__in=models).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards)


def models_moved_in(*, old_app: str, new_app: str, state_operations: list) -> list:
    """Operations of the new app's migration: `state_operations` (its CreateModel, AddIndex,
    AddConstraint… as makemigrations wrote them) describe the models; no table is created."""
    models = [
        operation.name.lower()
        for operation in state_operations
        if isinstance(operation, migrations.CreateModel)
    ]
    renames = [
        migrations.RunSQL(
            f'ALTER TABLE "{old_app}_{model}" RENAME TO "{new_app}_{model}"',
            f'ALTER TABLE "{new_app}_{model}" RENAME TO "{old_app}_{model}"',
        )
        for model in models
    ]
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations, database_operations=renames
        ),
        _move_content_types(old_app, new_app, models),
    ]


def models_moved_out(*, names: list[str]) -> list:
    """Operations of the old app's migration: forget the models (their tables live on)."""
    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in names],
            database_operations=[],
        )
    ]
