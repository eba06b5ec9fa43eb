"""What the fake Bot API checks on every call: the official spec and Telegram's limits.

Why: a test passing against a lenient fake proves little. Calls are checked against the Bot
API spec (``../shared/reference/telegram-bot-api/api.json`` beside the repository, read at
run time, never copied in) for unknown methods, unknown and missing parameters, and against
the limits that Telegram enforces at run time: text length after entity parsing, HTML that
Telegram can parse, ``callback_data`` size, button texts, callback answer length.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_PATH = (
    Path(__file__).resolve().parents[1].parent
    / "shared" / "reference" / "telegram-bot-api" / "api.json"
)

ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote", "tg-time",
})
PARSE_MODES = frozenset({"HTML", "MarkdownV2", "Markdown"})
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
# Without the spec: parameters that are strings even when they look like JSON.
_STRING_PARAMS = frozenset({
    "text", "caption", "data", "callback_query_id", "parse_mode", "url", "secret_token",
    "inline_message_id", "title", "address", "photo", "document", "language_code", "action",
})


@dataclass(frozen=True)
class Violation:
    message: str
    fatal: bool  # Telegram would refuse the call (400); otherwise it silently ignores it


class Spec:
    """Methods and their parameters (name -> (types, required)), from ``api.json``."""

    def __init__(self, methods: dict[str, dict[str, tuple[list[str], bool]]]) -> None:
        self.methods = methods

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> Spec | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({
            name: {f["name"]: (f["types"], f["required"]) for f in method.get("fields", [])}
            for name, method in data["methods"].items()
        })


def decode_params(spec: Spec | None, method: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields (JSON-encoded by PTB unless strings) back to values, guided by the spec."""
    fields = spec.methods.get(method, {}) if spec else {}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            params[name] = value
            continue
        types = fields[name][0] if name in fields else None
        if types == ["String"] or (types is None and name in _STRING_PARAMS):
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
        if types and "String" in types and not isinstance(params[name], int | float):
            params[name] = value  # e.g. "InputFile or String": a file_id or URL
    return params


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text as Telegram shows it: tags removed and entities decoded for HTML."""
    if parse_mode == "HTML":
        return html.unescape(_TAG.sub("", text))
    return text


def utf16_len(text: str) -> int:
    """Telegram measures lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def html_problems(text: str) -> list[str]:
    """Why Telegram's HTML parser would refuse ``text`` (empty list: it parses)."""
    problems: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if match is None:
                problems.append(f"unescaped '<' at {pos}")
                pos += 1
                continue
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                problems.append(f"unsupported tag <{name}>")
            elif closing:
                if not stack or stack[-1] != name:
                    problems.append(f"</{name}> does not close the open tag")
                else:
                    stack.pop()
            else:
                if name == "span" and 'class="tg-spoiler"' not in attrs:
                    problems.append('<span> needs class="tg-spoiler"')
                if name == "a" and "href=" not in attrs:
                    problems.append("<a> needs href")
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if match is None:
                problems.append(f"unescaped '&' at {pos}")
                pos += 1
            else:
                pos = match.end()
        else:
            pos += 1
    problems.extend(f"unclosed <{name}>" for name in stack)
    return problems


def check_call(spec: Spec | None, method: str, params: Mapping[str, Any]) -> list[Violation]:
    out: list[Violation] = []
    if spec is not None:
        fields = spec.methods.get(method)
        if fields is None:
            return [Violation(f"unknown method {method}", fatal=True)]
        out += [Violation(f"unknown parameter {name}", False) for name in params
                if name not in fields]
        out += [Violation(f"missing required parameter {name}", True)
                for name, (_, required) in fields.items() if required and name not in params]
    parse_mode = params.get("parse_mode")
    if parse_mode is not None and parse_mode not in PARSE_MODES:
        out.append(Violation(f"unsupported parse_mode {parse_mode!r}", True))
    for name, limit, minimum in (("text", 4096, 1), ("caption", 1024, 0)):
        value = params.get(name)
        if not isinstance(value, str) or method == "answerCallbackQuery":
            continue
        if parse_mode == "HTML":
            out += [Violation(f"can't parse entities in {name}: {p}", True)
                    for p in html_problems(value)]
        size = utf16_len(visible_text(value, parse_mode).strip())
        if not minimum <= size <= limit:
            out.append(Violation(f"{name} is {size} characters (allowed {minimum}-{limit})", True))
    if method == "answerCallbackQuery" and len(params.get("text") or "") > 200:
        out.append(Violation("answerCallbackQuery text longer than 200 characters", True))
    out += keyboard_problems(params.get("reply_markup"))
    return out


def keyboard_problems(markup: Any) -> list[Violation]:
    if not isinstance(markup, dict):
        return []
    out: list[Violation] = []
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not str(button.get("text", "")).strip():
                out.append(Violation("inline button with empty text", True))
            if len(button) < 2:
                out.append(Violation(f"inline button {button.get('text')!r} has no action", True))
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                out.append(Violation(f"callback_data {data!r} is not 1-64 bytes", True))
    for row in markup.get("keyboard") or []:
        for button in row:
            text = button if isinstance(button, str) else button.get("text", "")
            if not str(text).strip():
                out.append(Violation("reply keyboard button with empty text", True))
    return out
