"""One row as a JSON object and back: ``{field name: value}`` over every concrete field, primary key included.

Values keep full precision (datetimes with microseconds and offset, decimals as text), JSON columns stay JSON,
files are their storage names. A key to a user is the user's email (users are global: the email finds the same
person in the target database); every other key is the id of a row in the same archive.
"""

import datetime
import decimal
import uuid

from django.db import models

from partners.archive import ArchiveError


def plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    raise ArchiveError(f"Cannot write a value of type {type(value).__name__}.")


class RowCodec:
    """Encodes and decodes the rows of one model. ``user_keys`` maps user ids to emails (export) or emails to
    ids (restore)."""

    def __init__(self, model: type[models.Model], user_fields: list[models.Field], user_keys: dict):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.user_field_names = {f.name for f in user_fields}
        self.user_keys = user_keys

    @property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.fields]

    def encode(self, values: tuple) -> dict:
        """``values`` in the order of :attr:`attnames`, as ``values_list`` gives them."""
        row = {}
        for field, value in zip(self.fields, values, strict=True):
            if field.name in self.user_field_names and value is not None:
                # A key without a constraint may name a deleted account: nothing to carry but the gap.
                value = self.user_keys.get(value)
            row[field.name] = value if isinstance(field, models.JSONField) else plain(value)
        return row

    def decode(self, row: dict) -> models.Model:
        """A model instance from ``row``; fields missing from the row (added since the export) get defaults."""
        values = {}
        for field in self.fields:
            if field.name not in row:
                continue
            value = row[field.name]
            if value is None or isinstance(field, models.JSONField | models.FileField):
                pass
            elif field.name in self.user_field_names:
                if value not in self.user_keys:
                    raise ArchiveError(f"{self.model._meta.label} names a user not in the archive: {value}")
                value = self.user_keys[value]
            elif field.is_relation:
                value = field.target_field.to_python(value)
            else:
                value = field.to_python(value)
            values[field.attname] = value
        return self.model(**values)
