"""Which rows make up one vendor, and in which order they can be inserted.

A *tenant model* is every model with a ``vendor`` foreign key to :class:`~partners.models.Vendor`; they are found
with ``apps.get_models()`` on every run, so a model added later is exported without a change here. Their
auto-created many-to-many tables have no ``vendor_id`` and go with the model that declares the field. Anything
this generic path cannot carry (a key to a model outside the vendor, a binary column, a child table without
``vendor_id``) is reported by :func:`problems`: the export refuses to run, and ``tests/archive`` fails, until it is
handled here or excluded below with its reason.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from partners.models import Vendor

# Tenant models deliberately left out, with the reason. Every other vendor row is the vendor's data,
# KPI snapshots included (they are restored as they were, not recomputed).
TENANT_EXCLUDED: dict[str, str] = {
    "prm.PendingImport": "an upload waiting for its owner's decision expires within a day; upload it again",
    "webhooks.Webhook": "an endpoint's signing secret is a credential, not copied into files: vendor admins add "
    "their webhooks again where the vendor is restored",
    "webhooks.WebhookDelivery": "the delivery log of endpoints that are not copied",
    "knowledge.InsightResult": "stored analyses derived from the deals: computed again where the vendor is "
    "restored, at the first visit or the next night",
}

# Child tables without ``vendor_id`` that are not auto-created many-to-many tables: label → lookup to the vendor,
# e.g. ``{"deals.DealTag": "deal__vendor"}``. None today (DESIGN §2: every tenant row carries ``vendor_id``).
CHILDREN: dict[str, str] = {}

# Models that belong to a user (a global account) rather than to a vendor. Users themselves are exported when
# they are members of the vendor (see ``export``); of what hangs off them only this goes with them:
USER_DATA = {
    # Login requires a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    "account.EmailAddress",
}
USER_EXCLUDED = {
    "partners.ApiToken": "a credential: users issue new tokens where the vendor is restored",
    "mfa.Authenticator": "second-factor secrets (TOTP seeds, recovery codes) are not copied into files; users "
    "enrol again, and a vendor that requires it sends its admins to enrolment at their next login",
    "account.EmailConfirmation": "pending confirmation keys, valid for days only",
    "admin.LogEntry": "the platform staff's admin log, not the vendor's",
    "partners.UserSession": "logins on the old installation; sessions are not moved",
    "partners.AuthEvent": "the installation's security log, shared by every vendor's users",
    "partners.User_groups": "platform permissions, not the vendor's",
    "partners.User_user_permissions": "platform permissions, not the vendor's",
}

# Columns holding a user id as text rather than as a key (label → (column, selector column, selector value)):
# rewritten when a restored user's id changes, as KPI rows grouped by channel manager name them this way.
USER_ID_TEXT = {"knowledge.KpiSnapshot": ("group_key", "group_type", "channel_manager")}


@dataclass(frozen=True)
class ArchivedModel:
    model: type[models.Model]
    # Lookup from this model to its vendor: "vendor" for tenant models, "<field>__vendor" for children.
    vendor_path: str

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self, vendor: Vendor) -> models.QuerySet:
        # The base manager: callers choose the scope (export runs inside ``vendor_scope``); the filter on the
        # vendor is explicit either way.
        return self.model._base_manager.filter(**{self.vendor_path: vendor}).order_by("pk")


def _vendor_field(model) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if field.name == "vendor" and field.is_relation and field.related_model is Vendor:
            return field
    return None


def _all_models():
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _unordered() -> list[ArchivedModel]:
    found = []
    for model in _all_models():
        label = model._meta.label
        if label in TENANT_EXCLUDED:
            continue
        if _vendor_field(model) is not None:
            found.append(ArchivedModel(model, "vendor"))
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if through._meta.auto_created:
                    source = next(f for f in through._meta.concrete_fields if f.related_model is model)
                    found.append(ArchivedModel(through, f"{source.name}__vendor"))
        elif label in CHILDREN:
            found.append(ArchivedModel(model, CHILDREN[label]))
    return found


def _dependencies(item: ArchivedModel, labels: set[str]) -> set[str]:
    return {
        f.related_model._meta.label
        for f in item.model._meta.concrete_fields
        if f.is_relation and f.related_model is not item.model and f.related_model._meta.label in labels
    }


def archived_models() -> list[ArchivedModel]:
    """Every model the archive carries, each after the models it points to (ties in label order)."""
    pending = {item.label: item for item in _unordered()}
    labels = set(pending)
    ordered: list[ArchivedModel] = []
    done: set[str] = set()
    while pending:
        ready = sorted(label for label, item in pending.items() if _dependencies(item, labels) <= done)
        if (
            not ready
        ):  # a cycle between tenant models: insert in label order; constraints are checked at the end
            ready = sorted(pending)[:1]
        for label in ready:
            ordered.append(pending.pop(label))
            done.add(label)
    return ordered


def user_fields(model) -> list[models.Field]:
    user_model = get_user_model()
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model]


def problems() -> list[str]:
    """What the generic export cannot carry and nobody decided about; empty when the archive is complete."""
    user_model = get_user_model()
    archived = {item.label for item in archived_models()}
    known = archived | {Vendor._meta.label, user_model._meta.label}
    found = []
    for model in _all_models():
        label = model._meta.label
        targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        if label in archived:
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model._meta.label not in known:
                    found.append(f"{label}.{field.name} points to {field.related_model._meta.label}")
                elif isinstance(field, models.BinaryField):
                    found.append(f"{label}.{field.name} is binary")
        elif label in TENANT_EXCLUDED or label in USER_DATA or label in USER_EXCLUDED or model is user_model:
            continue
        elif any(t is Vendor or t._meta.label in archived for t in targets):
            found.append(
                f"{label} belongs to a vendor but has no vendor_id: add it to CHILDREN or exclude it"
            )
        elif user_model in targets:
            found.append(f"{label} belongs to users: add it to USER_DATA or USER_EXCLUDED with the reason")
    return found
