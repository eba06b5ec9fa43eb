"""Files only the bot's user may read (0600), whatever the umask.

Why: the database, its backups and exports hold what people told the help desk; a server's
default umask (022) would make them readable by every local account. The mode is set when
the file is created, so there is no moment in which another account could open it.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist; True if it was created.

    An existing file keeps its mode (the operator may have chosen another one).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE)  # the umask can only have removed bits: 0600 exactly
    finally:
        os.close(fd)
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing its content), created 0600 if new."""
    create_private(path)
    with open(path, "wb") as handle:
        handle.write(data)
