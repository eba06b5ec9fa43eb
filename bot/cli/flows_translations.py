"""`python -m bot flows export-translations` / `import-translations`: PO files for translators.

The import ends with the checker on the result, as `flows check` prints it, so a translation
that breaks a limit (a button label over 40 characters) is shown with its file:line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from babel.messages.pofile import read_po, write_po

from bot.engine import load_flows
from bot.services.translations import export_catalog, import_catalog

SHOWN = 30


def export(directory: str, lang: str, output: str | None, source: str | None,
           out: TextIO | None = None) -> int:
    out = out or sys.stdout
    catalog = export_catalog(Path(directory), lang, source)
    texts = [m for m in catalog if m.id]
    missing = sum(1 for m in texts if not m.string)
    if output:
        with open(output, "wb") as handle:
            write_po(handle, catalog, width=0, sort_by_file=True)
        where = output
    else:
        write_po(sys.stdout.buffer, catalog, width=0, sort_by_file=True)
        sys.stdout.buffer.flush()
        where, out = "standard output", sys.stderr
    print(f"{len(texts)} texts in {lang} ({missing} not translated yet) written to {where}",
          file=out)
    return 0


def _listed(title: str, items: list[str], out: TextIO) -> None:
    if not items:
        return
    print(f"{title} ({len(items)}):", file=out)
    for item in items[:SHOWN]:
        print(f"  {item}", file=out)
    if len(items) > SHOWN:
        print(f"  … and {len(items) - SHOWN} more", file=out)


def import_(path: str, directory: str, lang: str | None, source: str | None,
            out: TextIO | None = None) -> int:
    out = out or sys.stdout
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    language = lang or (str(catalog.locale) if catalog.locale else None)
    if not language:
        print(f"{path}: no Language in the PO header; pass --lang", file=out)
        return 2
    report = import_catalog(Path(directory), catalog, language, source)
    if not report.ok:
        _listed("Refused: these translations would break a flow", report.refused, out)
        _listed("Refused: the checker would report new errors", report.checker, out)
        print(f"Nothing written: fix the {len(report.refused) + len(report.checker)} "
              f"problems above in {path} and import it again.", file=out)
        return 1
    _listed("Changed", report.changed, out)
    _listed("Still missing", report.missing, out)
    _listed("Skipped: the source text changed since the export (export again)",
            report.outdated, out)
    _listed("Skipped: marked fuzzy (needs work) in the file", report.fuzzy, out)
    _listed("Skipped: no such text in the flows", report.unknown, out)
    print(f"{len(report.changed)} translations written into {len(report.files)} files; "
          f"{len(report.missing)} texts still missing in {language}.", file=out)
    result = load_flows(directory)
    for problem in result.problems:
        if problem.is_error or problem.code != "missing-translation":
            print(problem, file=out)  # stale translations included (see translation_marks)
    print(f"Checker: {len(result.errors)} errors, {len(result.warnings)} warnings", file=out)
    return 0 if result.ok else 1
