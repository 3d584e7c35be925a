"""Form helpers every app's pages use."""

from django.core.exceptions import ValidationError


def apply_service_errors(form, error: ValidationError, field_names: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on ``form``, next to the field it names.

    ``field_names`` maps a service key (e.g. ``meddic.champion.status``) to the form's field name; keys without
    a field, and an error without fields, become errors of the whole form.
    """
    field_names = field_names or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = field_names.get(key, key)
        form.add_error(name if name in form.fields else None, errors)
