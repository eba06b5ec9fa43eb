"""`python -m bot flows docs`: write docs/procedures.md, the list of procedures, from the flows.

    python -m bot flows docs                       # writes docs/procedures.md
    python -m bot flows docs --output -            # prints it

The page is generated: the same flows always give the same bytes (no dates, sorted order),
so a diff of the page shows exactly what changed in the procedures.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from babel import Locale, UnknownLocaleError

from bot.cli.console import load_valid
from bot.engine.located import YamlSyntaxError, load_yaml
from bot.engine.model import Country, Flow, FlowSet

COMMAND = "python -m bot flows docs"


MARKUP = re.compile(r"[\\`*\[\]<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def md(text: str) -> str:
    """Text for inside a Markdown line: one line, what Markdown would read escaped."""
    flat = " ".join(str(text).split())
    return MARKUP.sub(lambda match: "\\" + match.group(0), flat)


def md_url(url: str) -> str:
    """A URL safe inside `(...)` of a Markdown link."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")\
        .replace("(", "%28").replace(")", "%29")


def language_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


def country_name(code: str, country: Country | None) -> str:
    if country is not None and "en" in country.name.by_lang:
        return country.name.by_lang["en"]
    return Locale("en").territories.get(code, code)


def review_notes(path: str) -> list[str]:
    """Every `review` note of a flow file, grouped by place and note (the model drops them).

    Each entry reads like `step intro (kk, ru): not yet reviewed by a native speaker`.
    """
    try:  # the engine's own YAML reader, so that notes are read exactly as flows are
        data = load_yaml(Path(path).read_text(encoding="utf-8")).data
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return []
    found: dict[tuple[str, str], list[str]] = {}

    def note(node: Any, where: str) -> None:
        if not isinstance(node, dict) or node.get("review") is None:
            return
        value = node["review"]
        pairs = value.items() if isinstance(value, dict) else [("", value)]
        for lang, text in pairs:
            langs = found.setdefault((where, " ".join(str(text).split())), [])
            if lang and str(lang) not in langs:
                langs.append(str(lang))

    if not isinstance(data, dict):
        return []
    note(data, "flow")
    steps = data.get("steps")
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        where = f"step {step.get('id')}"
        note(step, where)
        for number, option in enumerate(step.get("options") or [], start=1):
            note(option, f"{where}, option {number}")
        for item in step.get("items") or []:
            if isinstance(item, dict):
                note(item, f"{where}, item {item.get('id')}")
        note(step.get("place"), f"{where}, office")
    return [f"{where} ({', '.join(langs)}): {text}" if langs else f"{where}: {text}"
            for (where, text), langs in found.items()]


def _both(flow: Flow, text: Any) -> str:
    """A text in the flow's first language, then in English when the flow has it."""
    first = flow.languages[0]
    shown = md(text.by_lang.get(first) or text.get(first))
    english = text.by_lang.get("en")
    if first != "en" and english:
        shown += f" — {md(english)}"
    return shown


def _relative(path: str, output: str | None) -> str:
    base = Path(output).parent if output and output != "-" else Path(".")
    return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()


def flow_section(flow: Flow, output: str | None) -> list[str]:
    lines = [f"### {_both(flow, flow.title)}", ""]
    lines.append(_both(flow, flow.description))
    lines.append("")
    languages = ", ".join(f"{language_name(code)} (`{code}`)" for code in flow.languages)
    lines.append(f"- Flow: `{flow.id}` in [{md(Path(flow.file).name)}]"
                 f"({md_url(_relative(flow.file, output))})")
    lines.append(f"- Languages: {languages}")
    sources = ", ".join(f"[{md(source.title)}]({md_url(source.url)})" for source in flow.sources)
    lines.append(f"- Official sources: {sources or 'none'}")
    reviewed = flow.last_reviewed.isoformat() if flow.last_reviewed else "never"
    lines.append(f"- Last reviewed: {reviewed}")
    lines.append(f"- Steps: {len(flow.steps)}")
    notes = review_notes(flow.file)
    if notes:
        lines.append("- Review notes (translations not yet reviewed):")
        lines += [f"  - {md(note)}" for note in notes]
    else:
        lines.append("- Review notes: none")
    lines.append(f"- Try it: `python -m bot console --flow {flow.id}`")
    lines.append("")
    return lines


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def render(flows: FlowSet, output: str | None = None) -> str:
    """The whole page, deterministic for the same flows."""
    codes = sorted({flow.country for flow in flows.flows.values()})
    lines = [
        f"<!-- Generated by `{COMMAND}` from the flow files; do not edit by hand. -->",
        "",
        "# Procedures",
        "",
        "This page is generated from the flow files (`flows/<CC>/*.yaml`, see "
        "[Writing flows](flows.md)). To change it, edit the flows, check them with "
        f"`python -m bot flows check`, then run `{COMMAND}`.",
        "",
        f"{_count(len(flows.flows), 'procedure')} in {_count(len(codes), 'country')}.",
        "",
    ]
    for code in codes:
        country = flows.countries.get(code)
        in_country = sorted(flows.for_country(code), key=lambda flow: flow.id)
        lines += [f"## {md(country_name(code, country))} ({code})", ""]
        if country is not None:
            languages = ", ".join(language_name(lang) for lang in country.languages)
            lines += [f"Languages: {languages}. Default: "
                      f"{language_name(country.default_language)}.", ""]
        for flow in in_country:
            lines += flow_section(flow, output)
    return "\n".join(lines).rstrip("\n") + "\n"


def run(directory: str, output: str = "docs/procedures.md", out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Write the page (or print it with `-`); 1 when the flows have errors."""
    out = out or sys.stdout
    err = err or sys.stderr
    loaded = load_valid(directory, err)
    if loaded is None:
        return 1
    page = render(loaded.flows, output)
    if output == "-":
        out.write(page)
        return 0
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8", newline="\n")
    print(f"wrote {output}: {len(loaded.flows.flows)} procedures", file=out)
    return 0
