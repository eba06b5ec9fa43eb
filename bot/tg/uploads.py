"""Files the bot sends (an exported flow, a diff), stored in the outbox like any other call.

Why a marker and not an InputFile: outbox rows are JSON, written in the turn's transaction and
sent later (maybe after a restart). A parameter `{"upload": NAME, "text": CONTENT}` is turned
into a real multipart upload only when the sender makes the call. Binary files (a report's
zip, a chart) travel base64 in the row: `{"upload": NAME, "b64": DATA}` (`binary_file`).
"""

from __future__ import annotations

import base64
from typing import Any

from telegram import InputFile

MAX_TEXT_FILE = 1024 * 1024  # far below Telegram's 50 MB; flow files are capped at 256 KB


def text_file(name: str, text: str) -> dict[str, str]:
    """A UTF-8 text file to send, e.g. as `sendDocument`'s `document`."""
    return {"upload": name, "text": text[:MAX_TEXT_FILE]}


def binary_file(name: str, data: bytes) -> dict[str, str]:
    """Any file to send (a zip, a PNG for `sendPhoto`'s `photo`), base64 in the outbox row."""
    return {"upload": name, "b64": base64.b64encode(data).decode("ascii")}


def prepare(params: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters with every file marker replaced by an InputFile."""
    if not any(isinstance(v, dict) and "upload" in v for v in params.values()):
        return params
    out = dict(params)
    for key, value in params.items():
        if isinstance(value, dict) and "upload" in value and "text" in value:
            out[key] = InputFile(str(value["text"]).encode("utf-8"),
                                 filename=str(value["upload"]), attach=False)
        elif isinstance(value, dict) and "upload" in value and "b64" in value:
            out[key] = InputFile(base64.b64decode(value["b64"]),
                                 filename=str(value["upload"]), attach=False)
    return out
