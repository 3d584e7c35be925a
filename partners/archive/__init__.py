"""Tenant export and restore: all of one vendor's data in one archive (``manage.py export_vendor`` and
``manage.py import_vendor``).

- :mod:`.registry` decides which rows belong to a vendor: every model with a ``vendor`` foreign key (found at run
  time, so a model added later is included), the auto-created many-to-many tables of those, the vendor's users and
  their verified email addresses. What is left out is listed there with the reason.
- :mod:`.rows` turns one row into JSON and back (users by email, every other key by id).
- :mod:`.bundle` writes and reads the ``.tar.gz``: ``manifest.json`` with counts and a sha256 per file.
- :mod:`.export` and :mod:`.restore` do the work.
"""

FORMAT = "partner-meddic-vendor-archive"
FORMAT_VERSION = 1


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message says why (shown to the operator as is)."""
