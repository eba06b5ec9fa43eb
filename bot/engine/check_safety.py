"""The safety rule: nobody is sent to an office where they may be detained without a warning.

An office marked `risk: enforcement` (police, migration police or services, General Security:
anywhere a person without valid papers may be detained) must carry a `caution:` in every
language a person of that country may read, that is every language of the country's
`country.yaml` and of each of its flows. The engine hands the caution out with the office in
every event that sends people there (`Place`, `MissingItem`), so a caution that exists is
always shown; this check makes sure it exists. Both problems are errors, not warnings: a
missing caution can get someone detained or deported, and a missing language shows the
warning in a language the person may not read.
"""

from __future__ import annotations

from .fields import Reporter
from .located import Pos
from .model import Country, Flow, Office

NO_CAUTION_HINT = ("add `caution:` with a text per language: the risk, who is at risk, and a "
                   "safer first contact (legal aid, UNHCR or its partners, an NGO); put its "
                   "sources in the office's `review:` note")


def check_cautions(flows: dict[str, Flow], countries: dict[str, Country],
                   reporters: dict[str, Reporter]) -> None:
    """Report every enforcement office without a caution, or with a language missing."""
    languages: dict[str, list[str]] = {code: list(c.languages) for code, c in countries.items()}
    for flow in flows.values():
        known = languages.get(flow.country)
        if known is not None:
            known += [lang for lang in flow.languages if lang not in known]
        report = reporters.get(flow.file)
        if report is None:
            continue
        for step in flow.steps.values():  # an office written inside a `place` step
            if step.office is not None and not step.office_ref:
                check_office(step.office, flow.languages, report, "in this flow")
    for code, country in countries.items():
        report = reporters.get(country.file)
        if report is None:
            continue
        for office in country.offices.values():
            check_office(office, tuple(languages[code]), report,
                         f"in {code}'s flows")


def check_office(office: Office, languages: tuple[str, ...] | list[str], report: Reporter,
                 readers: str) -> None:
    """The rule for one office; `readers` says whose languages are required, for the hint."""
    start = Pos(1, 1)
    if office.caution is None:
        if office.enforcement:
            report.error(office.pos or start, "no-caution",
                         f"office `{office.id}` is marked `risk: enforcement` but has no "
                         "`caution:`", NO_CAUTION_HINT)
        return
    for lang in languages:
        if lang not in office.caution.by_lang:
            report.error(office.caution_pos or office.pos or start, "caution-missing-language",
                         f"the `caution` of office `{office.id}` has no `{lang}` text",
                         f"add `{lang}:`: people reading {lang} {readers} would be sent there "
                         "without the warning")
