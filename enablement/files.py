"""Uploaded material: which types are accepted, how they are recognised, and how they are served.

A file is accepted only when its extension names an accepted type *and* its first bytes (or, for Office files,
its ZIP directory) prove it is one: a renamed executable or a damaged file is refused with a clear message.
"""

import os
import zipfile

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from enablement.models import ContentKind, FileType

EXTENSIONS = {
    ".pdf": FileType.PDF,
    ".pptx": FileType.PPTX,
    ".docx": FileType.DOCX,
    ".xlsx": FileType.XLSX,
    ".png": FileType.PNG,
    ".jpg": FileType.JPEG,
    ".jpeg": FileType.JPEG,
    ".mp4": FileType.MP4,
}
MIME_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileType.PNG: "image/png",
    FileType.JPEG: "image/jpeg",
    FileType.MP4: "video/mp4",
}
# The folder inside an Office file's ZIP that tells a presentation, a document and a workbook apart.
OFFICE_PARTS = {FileType.PPTX: "ppt/", FileType.DOCX: "word/", FileType.XLSX: "xl/"}
# Files up to this size are answered at once, so no open file waits on a client that stops reading.
STREAM_FROM_BYTES = 1024 * 1024
ACCEPT = ",".join([*EXTENSIONS, *sorted(set(MIME_TYPES.values()))])


def _is_office(upload, part: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(name.startswith(part) for name in names)


def sniffed_as(upload, expected: str) -> bool:
    """Whether the file's content is of the type its extension claims."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if expected == FileType.PDF:
        return head.startswith(b"%PDF-")
    if expected == FileType.PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if expected == FileType.JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if expected == FileType.MP4:
        return head[4:8] == b"ftyp"
    if expected in OFFICE_PARTS:
        return head.startswith(b"PK\x03\x04") and _is_office(upload, OFFICE_PARTS[expected])
    return False


def file_check(upload, *, max_bytes: int) -> str:
    """The upload's :class:`FileType`, or a translated ``ValidationError`` saying what is wrong with it."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    file_type = EXTENSIONS.get(extension)
    if file_type is None:
        raise ValidationError(
            _(
                "Files of type “%(extension)s” are not accepted. Upload a PDF, PowerPoint, Word or Excel file, "
                "a PNG or JPEG image, or an MP4 video."
            )
            % {"extension": extension or _("no extension")},
            code="file_type",
        )
    if not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if not sniffed_as(upload, file_type):
        raise ValidationError(
            _(
                "The file is named “%(name)s” but its content is not a %(type)s file. It may be damaged or "
                "renamed; export it again from the program that made it."
            )
            % {"name": os.path.basename(upload.name), "type": FileType(file_type).label},
            code="content_mismatch",
        )
    return file_type


def file_response(content):
    """The content's file as a response (never a public URL): images and videos open in place, anything else
    downloads. 404 when the content has no file or the stored file is gone."""
    if content.kind != ContentKind.FILE or not content.file:
        raise Http404
    try:
        handle = content.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    mime = MIME_TYPES.get(content.file_type, "application/octet-stream")
    name = content.file_name or f"content-{content.pk}.{content.file_type}"
    attachment = not (content.is_image or content.is_video)
    if content.file.size <= STREAM_FROM_BYTES:
        with handle:
            response = HttpResponse(handle.read(), content_type=mime)
        response["Content-Disposition"] = content_disposition_header(attachment, name)
    else:
        response = FileResponse(handle, content_type=mime, as_attachment=attachment, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
