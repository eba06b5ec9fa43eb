"""Files in outbox rows: the bytes travel inside the stored call until the sender uploads them.

Why: every call the bot makes is an outbox row of JSON parameters, so that it survives a crash
and is retried. A file to upload (a report, its chart) is stored the same way, base64 in the
row, and turned into a PTB :class:`~telegram.InputFile` only when the call is made, which
PTB then sends as multipart/form-data. Delivered rows are pruned with the rest of the outbox.
"""

from __future__ import annotations

import base64
from typing import Any

from telegram import InputFile

KEY = "_upload"


def upload(filename: str, data: bytes, mime_type: str) -> dict[str, Any]:
    """A parameter value (e.g. ``document``) that becomes a file upload when sent."""
    return {KEY: {"name": filename, "mime": mime_type,
                  "b64": base64.b64encode(data).decode("ascii")}}


def inflate(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with every stored upload turned into an InputFile."""
    if not any(isinstance(v, dict) and KEY in v for v in params.values()):
        return dict(params)
    out = dict(params)
    for name, value in params.items():
        if isinstance(value, dict) and KEY in value:
            spec = value[KEY]
            out[name] = InputFile(base64.b64decode(spec["b64"]), filename=spec["name"],
                                  attach=False)
    return out
