"""The menus around the flows: language, country, and the paginated list of procedures."""

from __future__ import annotations

from bot.engine.model import Flow
from bot.i18n import (  # sort_key: the bot and the console sort procedures alike
    LANGUAGES,
    N_,
    gettext_for,
    language_name,
    same_language,
    sort_key,
    territory_name,
)

from . import callbacks
from .commands import admin_commands, people_commands, volunteer_commands
from .keyboards import Keyboard, button, keyboard
from .markup import bold, escape
from .person import Person

PAGE_SIZE = 6


PICKER_COLUMNS = 3  # 17 languages in 6 rows: all visible on a small phone without scrolling


def language_picker(current: str | None = None) -> tuple[str, Keyboard]:
    """Every UI language, each named in itself (CLDR), three to a row.

    The prompt is in the person's current language (or Telegram's, when we have it) and in
    English, not in all seventeen: a wall of seventeen scripts hides the buttons on a small
    screen, and each button already names its language in its own script.
    """
    langs = dict.fromkeys(lang for lang in (current, "en") if lang in LANGUAGES)
    prompts = dict.fromkeys(gettext_for(lang)(N_("Choose your language")) for lang in langs)
    buttons = [button(language_name(lang), callbacks.encode("l", lang)) for lang in LANGUAGES]
    rows = [buttons[i:i + PICKER_COLUMNS] for i in range(0, len(buttons), PICKER_COLUMNS)]
    return "🌐 " + " / ".join(escape(p) for p in prompts), keyboard(rows)


def country_name(person: Person, code: str) -> str:
    country = person.flows.countries.get(code)
    if country is not None and person.lang in country.name.by_lang:
        return country.name.get(person.lang)
    return territory_name(code, person.lang)


def country_picker(person: Person) -> tuple[str, Keyboard]:
    _ = person.gettext
    codes = sorted(person.flows.countries, key=lambda code: country_name(person, code))
    rows = [[button(country_name(person, code), callbacks.encode("c", code))] for code in codes]
    return escape(_("Which country do you need help with?")), keyboard(rows)


def flow_language(person: Person, flow: Flow) -> str:
    """The person's language when the flow has it, else the same language in another script
    (`uz` for `uz_Cyrl`), else the country's default, else the first."""
    if person.lang in flow.languages:
        return person.lang
    for lang in flow.languages:
        if same_language(lang, person.lang):
            return lang
    country = person.flows.countries.get(flow.country)
    if country is not None and country.default_language in flow.languages:
        return country.default_language
    return flow.languages[0]


def procedures_page(person: Person, page: int = 0) -> tuple[str, Keyboard]:
    _ = person.gettext
    code = person.user.country or ""
    flows = sorted(person.flows.for_country(code),
                   key=lambda f: sort_key(f.title.get(flow_language(person, f))))
    pages = max(1, -(-len(flows) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = flows[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [bold(_("Procedures in {country}").format(country=country_name(person, code)))]
    rows = []
    for flow in shown:
        lang = flow_language(person, flow)
        lines.append(f"• {bold(flow.title.get(lang))} — {escape(flow.description.get(lang))}")
        rows.append([button(flow.title.get(lang)[:60], callbacks.encode("s", flow.id))])
    if not flows:
        lines.append(escape(_("No procedures are available for this country yet.")))
    paging = []
    if page > 0:
        paging.append(button(_("◀ Previous"), callbacks.encode("p", str(page - 1))))
    if page < pages - 1:
        paging.append(button(_("Next ▶"), callbacks.encode("p", str(page + 1))))
    rows.append(paging)
    rows.append([button(_("🌍 Country"), callbacks.encode("c", "change")),
                 button(_("🗣 Language"), callbacks.encode("l", "pick"))])
    if pages > 1:
        lines.append(escape(_("Page {page} of {pages}").format(page=page + 1, pages=pages)))
    return "\n".join(lines), keyboard(rows)


def help_text(person: Person, *, volunteer: bool = False, admin: bool = False) -> str:
    """What the bot does and its commands; a volunteer's and an admin's too, for them."""
    _ = person.gettext
    lines = [
        _("I guide you step by step through official procedures, in your language. "
          "When the steps are not enough, a volunteer can help you here."),
        "",
        "/menu — " + _("the procedures for your country"),
        "/back — " + _("go back one step"),
        "/restart — " + _("start the procedure again"),
        "/language — " + _("change the language"),
        "/human — " + _("talk to a volunteer"),
        "/privacy — " + _("what is stored about you, and who sees it"),
        "/forget — " + _("erase everything the bot knows about you"),
        "/help — " + _("this message"),
    ]
    if volunteer or admin:  # the same texts as Telegram's command menu for their role
        shown = {name for name, _text in people_commands(person.lang)}
        for extra in (volunteer_commands(person.lang),
                      admin_commands(person.lang) if admin else []):
            more = [f"/{name} — {text}" for name, text in extra if name not in shown]
            shown.update(name for name, _text in extra)
            if more:
                lines += ["", *more]
    return escape("\n".join(lines))
