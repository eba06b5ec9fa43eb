"""Button data: short, typed, and checked, because anyone can send any callback_data.

Formats (always <= 64 bytes):
    f:<seq>:<key>   answer the current flow step (seq guards against old buttons)
    n:<action>      back, restart, menu, human
    l:<lang>        pick a language
    c:<CC>          pick a country
    p:<page>        a page of the procedures list
    s:<flow id>     start a procedure
    x:<yes|no>      confirm /forget
    v:take:<case>   a volunteer takes a case;  v:case:<case>  switches to it
    r:<case>:<1-5>  a person rates the help they got
    u:…  o:…        follow-ups, and closing a case with an outcome (bot/tg/followups/texts.py)
    k:<yes|no>:<message id>  a person confirms (or not) that their contact card may be relayed
    w:<claim|release|transfer|close>:<case>, w:to:<case>:<user>  a case card in a workspace
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
_PATTERN = re.compile(r"^([a-z]):([A-Za-z0-9_:-]{1,60})$")
# <action>:<run or case>[:<result>[:<blocker mask>]] or u:y:<seq>:<office id>
_OUTCOME = re.compile(r"[a-z]:\d{1,12}(:[a-z_]{1,16}(:\d{1,8})?|:[a-z0-9_-]{1,32})?")
NAV_ACTIONS = frozenset({"back", "restart", "menu", "human"})


@dataclass(frozen=True)
class Callback:
    kind: str
    value: str
    seq: int | None = None


def encode(kind: str, value: str, seq: int | None = None) -> str:
    data = f"{kind}:{seq}:{value}" if seq is not None else f"{kind}:{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse button data; None for anything malformed (the press is answered as stale)."""
    if not data:
        return None
    match = _PATTERN.match(data)
    if not match:
        return None
    kind, rest = match.groups()
    if kind == "f":
        seq, _, key = rest.partition(":")
        if not seq.isdigit() or not key:
            return None
        return Callback(kind, key, int(seq))
    if kind == "n" and rest not in NAV_ACTIONS:
        return None
    if kind == "v" and not re.fullmatch(r"(take|case):\d{1,12}", rest):
        return None
    if kind == "r" and not re.fullmatch(r"\d{1,12}:[1-5]", rest):
        return None
    if kind in "uo" and not _OUTCOME.fullmatch(rest):
        return None
    if kind == "k" and not re.fullmatch(r"(yes|no):\d{1,12}", rest):
        return None
    if kind == "w" and not re.fullmatch(
            r"(claim|release|transfer|close):\d{1,12}|to:\d{1,12}:\d{1,15}", rest):
        return None
    if kind not in "nlcpsxvruokw":
        return None
    return Callback(kind, rest)
