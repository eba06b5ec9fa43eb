"""A throw-away PostgreSQL cluster for tests, CI and benchmarks (never for production).

Why here and not in tests/: the test suite, ``.ci/run`` and ``benchmarks/scale.py`` all need
the same thing: a private server in a temporary folder, fast and unsafe (no fsync), gone
when they finish. Debian's ``postgresql`` package provides ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/<major>/bin``. ``initdb`` refuses to run as root, so when we are root
the cluster runs as the ``postgres`` system user the package creates (``runuser``).
No Docker, no network: the server listens on 127.0.0.1 at a free port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

_FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
         "-c", "max_connections=300", "-c", "shared_buffers=64MB")


def find_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (None: PostgreSQL is not installed)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    roots = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return roots[-1].parent if roots else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """``with Cluster() as url:`` a running server; ``url`` reaches its ``postgres`` db."""

    def __init__(self) -> None:
        self.bin = find_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        self.dir = Path(tempfile.mkdtemp(prefix="passerelle-pg-"))
        self.port = _free_port()
        self.url = f"postgresql://passerelle@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as the package's user
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
            os.chmod(self.dir, 0o700)

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as, *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, cwd=self.dir)

    def start(self) -> str:
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "passerelle",
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = " ".join([*_FAST, "-c", f"port={self.port}", "-c", "listen_addresses=127.0.0.1",
                         "-c", f"unix_socket_directories={self.dir}"])
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"),
                  "-o", opts, "-w", "-t", "60", "start")
        return self.url

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                      "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> str:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """A running throw-away server's URL for the duration of the block."""
    with Cluster() as url:
        yield url
