"""Keeping a good upload when the rest of the content form is refused, so it need not be chosen again.

The file goes where an accepted upload would (``enablement/<vendor>/<random>.<type>``); the session remembers it
under a random token that the re-shown form carries in a hidden field. Saving the content then only points the
content at the kept file. A session keeps at most :data:`MAX_PENDING` such files; older ones are deleted.
"""

import os
import secrets

from enablement.models import Content

SESSION_KEY = "content_uploads"
MAX_PENDING = 3


def _storage():
    return Content._meta.get_field("file").storage


def pending_keep(session, *, vendor_id: int, upload, file_type: str) -> str:
    storage = _storage()
    kept = dict(session.get(SESSION_KEY, {}))
    while len(kept) >= MAX_PENDING:
        storage.delete(kept.pop(next(iter(kept)))["name"])
    name = storage.save(f"enablement/{vendor_id}/{secrets.token_hex(16)}.{file_type}", upload)
    token = secrets.token_urlsafe(16)
    kept[token] = {
        "vendor": vendor_id,
        "name": name,
        "file_name": os.path.basename(upload.name)[:255],
        "file_type": file_type,
        "size": upload.size,
    }
    session[SESSION_KEY] = kept
    return token


def pending_get(session, *, vendor_id: int, token: str | None) -> dict | None:
    """The kept upload of ``token`` in this vendor (with its token under ``token``), or None."""
    stored = session.get(SESSION_KEY, {}).get(token or "")
    if stored is None or stored["vendor"] != vendor_id:
        return None
    return {**stored, "token": token}


def pending_release(session, token: str, *, delete: bool) -> None:
    """Forget a kept upload: it now belongs to a content (``delete=False``) or was replaced (``delete=True``)."""
    kept = dict(session.get(SESSION_KEY, {}))
    stored = kept.pop(token, None)
    if stored is None:
        return
    session[SESSION_KEY] = kept
    if delete:
        _storage().delete(stored["name"])
