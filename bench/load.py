"""A bounded HTTP load client for loopback benchmarks: N connections for a fixed time, then it stops.

Each of ``connections`` workers sends one GET after another (HTTP/1.1; a new connection whenever the server
closes one, as gunicorn's sync workers do after every response) until ``seconds`` have passed. Only 127.0.0.1.
"""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    path: str
    seconds: float
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def run_load(
    port: int, path: str | list[str], *, headers: dict[str, str], connections: int, seconds: float
) -> LoadResult:
    """Load ``path``, or every path of a list in turn (each connection starting at another one)."""
    paths = [path] if isinstance(path, str) else path
    return asyncio.run(_load(port, paths, headers, connections, seconds))


async def _load(
    port: int, paths: list[str], headers: dict[str, str], connections: int, seconds: float
) -> LoadResult:
    requests = [
        "\r\n".join(
            [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        ).encode()
        for path in paths
    ]
    result = LoadResult(paths[0] if len(paths) == 1 else f"{len(paths)} paths", seconds)
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_worker(port, requests, index, deadline, result) for index in range(connections)))
    result.seconds = time.monotonic() - started
    return result


async def _worker(port: int, requests: list[bytes], turn: int, deadline: float, result: LoadResult) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        request = requests[turn % len(requests)]
        turn += 1
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            status, keep_alive = await _response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            writer = _close(writer)
            continue
        if time.monotonic() <= deadline:  # answers after the deadline do not count
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.ok += 1
            else:
                result.errors += 1
        if not keep_alive:
            writer = _close(writer)
    _close(writer)


async def _response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    fields = {}
    for line in header_lines:
        if ":" in line:
            name, _sep, value = line.partition(":")
            fields[name.strip().lower()] = value.strip().lower()
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.read()  # until the server closes
        return status, False
    return status, fields.get("connection") != "close"


def _close(writer) -> None:
    if writer is not None:
        writer.close()
    return None
