"""The archive file: a ``.tar.gz`` of ``manifest.json``, ``data/<app.Model>.jsonl`` (one row a line, in id
order) and ``files/<storage name>`` (uploaded files).

The manifest names the format and its version, the vendor, when and by which version of the application it was
written, each model's row count and fields, and the sha256 of every other member. Members are written in name
order with fixed owners and times, so the same data gives the same members.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from partners.archive import FORMAT, FORMAT_VERSION, ArchiveError

MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _member(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write(path: Path, staging: Path, manifest: dict, mtime: int) -> dict:
    """Pack every file under ``staging`` with ``manifest`` (plus the hashes) into ``path``; all or nothing."""
    names = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    manifest = {**manifest, "files": {name: sha256_of(staging / name) for name in names}}
    encoded = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    partial = path.with_name(path.name + ".part")
    try:
        with (
            partial.open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as zipped,
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            tar.addfile(_member(MANIFEST, len(encoded), mtime), io.BytesIO(encoded))
            for name in names:
                with (staging / name).open("rb") as handle:
                    tar.addfile(_member(name, (staging / name).stat().st_size, mtime), handle)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def read(path: Path, into: Path) -> dict:
    """Unpack ``path`` into ``into`` and return its manifest, after checking the format, its version and the
    sha256 of every member. Raises :class:`ArchiveError` on anything unexpected."""
    hashes: dict[str, str] = {}
    manifest = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile() or not safe_name(info.name) or info.name in hashes:
                    raise ArchiveError(f"Unexpected member in the archive: {info.name}")
                source = tar.extractfile(info)
                if info.name == MANIFEST:
                    manifest = _manifest(source.read())
                    continue
                target = into / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as handle:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
                hashes[info.name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise ArchiveError(f"{path} cannot be read as a vendor archive ({error}).") from error
    if manifest is None:
        raise ArchiveError(f"{path} has no {MANIFEST}: not a vendor archive.")
    listed = manifest.get("files") or {}
    if set(listed) != set(hashes):
        missing, extra = sorted(set(listed) - set(hashes)), sorted(set(hashes) - set(listed))
        raise ArchiveError(
            f"The archive's members do not match its manifest (missing {missing}, extra {extra})."
        )
    for name, digest in sorted(hashes.items()):
        if listed[name] != digest:
            raise ArchiveError(f"{name} does not match its sha256 in the manifest: the archive was changed.")
    return manifest


def _manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError as error:
        raise ArchiveError(f"{MANIFEST} is not valid JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("Not a vendor archive of this application.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"The archive has format version {manifest.get('format_version')}; "
            f"this version of the application reads version {FORMAT_VERSION}."
        )
    return manifest


def copy_into(source, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        shutil.copyfileobj(source, handle, CHUNK)
