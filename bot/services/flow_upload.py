"""Reading a flow file someone uploaded: size, encoding, and YAML that cannot hurt the bot.

Why so strict: a proposal comes from a chat, so its bytes are untrusted. Flow files never need
YAML tags (`!!python/...` and the like), anchors or aliases, so all are refused before anything
is built: an alias bomb ("billion laughs") expands a few hundred bytes into gigabytes once the
document is turned into Python objects. The located loader (bot/engine/located.py) then reads
the file with the safe loader, as it reads every flow file.

The exported file starts with a marker comment naming the version it was exported from; that
is how a proposal knows which published version it was made against (see `BASE_MARKER`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import yaml

from bot.engine.located import LocatedDict, YamlSyntaxError, load_yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_UPLOAD_BYTES = 256 * 1024
BASE_MARKER = re.compile(r"\A# passerelle: ([a-z0-9][a-z0-9_-]{0,31}) version ([0-9a-f]{12})\b"
                         r"[^\n]*\n")


class UploadRefused(Exception):
    """The file cannot be read as a flow; `code` is stable, the message says what to do (in
    English; `details` fill the translated sentence tg/ shows for `code`)."""

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


@dataclass(frozen=True)
class Upload:
    text: str              # as uploaded: line numbers in problems match the person's file
    content: str           # what would be published: the base marker removed
    flow_id: str
    base_hash: str | None  # from the marker; None when the person removed it


def content_hash(data: bytes | str) -> str:
    """The version of a file's content: the same 12 hex digits as `Flow.version`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha1(raw).hexdigest()[:12]


def marker(flow_id: str, base_hash: str) -> str:
    """The first line of an exported file."""
    return (f"# passerelle: {flow_id} version {base_hash} (keep this line: it says which "
            "version you edited)\n")


def _refuse_unsafe(text: str) -> None:
    try:
        for token in yaml.scan(text, Loader=_Loader):
            line = token.start_mark.line + 1
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                raise UploadRefused("yaml-alias", f"line {line}: YAML anchors and aliases (& and "
                                    "*) are not allowed in flow files; write the text out",
                                    line=line)
            if isinstance(token, yaml.TagToken):
                raise UploadRefused("yaml-tag", f"line {line}: YAML tags (!...) are not allowed "
                                    "in flow files; remove it, or put the text in quotes",
                                    line=line)
    except yaml.YAMLError:
        return  # the located loader reports syntax errors with their position


def read_upload(data: bytes) -> Upload:
    """Check an uploaded flow file; raise UploadRefused with a message for the sender."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused("too-big", f"the file has {len(data) // 1024} KB; a flow file may "
                            f"have at most {MAX_UPLOAD_BYTES // 1024} KB",
                            limit=MAX_UPLOAD_BYTES // 1024)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadRefused("not-utf8", "the file is not UTF-8 text; save it as UTF-8") from exc
    _refuse_unsafe(text)
    found = BASE_MARKER.match(text)
    content = text[found.end():] if found else text
    try:
        data_obj = load_yaml(text).data
    except YamlSyntaxError as exc:
        raise UploadRefused("yaml-syntax", f"line {exc.pos.line}, column {exc.pos.column}: "
                            f"YAML syntax error: {exc}", line=exc.pos.line,
                            column=exc.pos.column, problem=str(exc)) from exc
    flow_id = data_obj.get("id") if isinstance(data_obj, LocatedDict) else None
    if not isinstance(flow_id, str) or not flow_id:
        raise UploadRefused("no-id", "this is not a flow file: it has no `id:` line")
    return Upload(text, content, flow_id, found.group(2) if found else None)
