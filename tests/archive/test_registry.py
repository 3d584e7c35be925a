"""Every vendor's table is in the archive, or left out on purpose with the reason; a new one cannot slip by."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test.utils import isolate_apps

from partners.archive import registry
from partners.models import Vendor


def test_every_table_of_a_vendor_is_archived_or_excluded_with_its_reason():
    assert registry.problems() == []
    archived = {item.label for item in registry.archived_models()}
    for model in registry._all_models():
        if registry._vendor_field(model) is not None:
            assert model._meta.label in archived or registry.TENANT_EXCLUDED.get(model._meta.label)
    assert all(
        reason.strip() for reason in [*registry.TENANT_EXCLUDED.values(), *registry.USER_EXCLUDED.values()]
    )
    # Secrets stay behind whatever else changes.
    assert {"partners.ApiToken", "mfa.Authenticator"} <= set(registry.USER_EXCLUDED)
    assert "webhooks.Webhook" in registry.TENANT_EXCLUDED


def test_rows_come_after_the_rows_they_point_to():
    order = [item.label for item in registry.archived_models()]
    for position, item in enumerate(registry.archived_models()):
        for field in item.model._meta.concrete_fields:
            target = field.related_model._meta.label if field.is_relation else None
            if target in order and target != item.label:
                assert order.index(target) < position, f"{item.label}.{field.name}"


def test_a_new_table_the_archive_cannot_carry_is_reported(monkeypatch):
    with isolate_apps("partners") as isolated:

        class Board(models.Model):  # noqa: DJ008  (a tenant model with a many-to-many field: its table goes along)
            vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE)
            watchers = models.ManyToManyField(get_user_model())

            class Meta:
                app_label = "partners"

        class Label(models.Model):  # noqa: DJ008  (points outside the vendor)
            vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE)
            kind = models.ForeignKey(ContentType, on_delete=models.CASCADE)

            class Meta:
                app_label = "partners"

        class BoardLine(models.Model):  # noqa: DJ008  (a child without vendor_id)
            board = models.ForeignKey(Board, on_delete=models.CASCADE)

            class Meta:
                app_label = "partners"

        class Badge(models.Model):  # noqa: DJ008  (hangs off users)
            user = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)

            class Meta:
                app_label = "partners"

        monkeypatch.setattr(registry, "apps", isolated)
        found = registry.problems()
        paths = {item.label: item.vendor_path for item in registry.archived_models()}

    assert paths["partners.Board_watchers"] == "board__vendor"
    assert found == [
        "partners.Label.kind points to contenttypes.ContentType",
        "partners.BoardLine belongs to a vendor but has no vendor_id: add it to CHILDREN or exclude it",
        "partners.Badge belongs to users: add it to USER_DATA or USER_EXCLUDED with the reason",
    ]
