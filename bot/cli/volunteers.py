"""`python -m bot volunteer add|list|remove` and `python -m bot suggestions`, for admins.

    python -m bot volunteer add 123456789 --countries KZ,KG --languages ru,kk --alias Aida
    python -m bot volunteer list
    python -m bot volunteer remove 123456789
    python -m bot suggestions --limit 20

Why a command line as well as `/invite`: the first volunteers exist before anyone can invite
them, and an admin on the server must be able to fix the roster without Telegram. Each
command opens the database from the settings (``DATABASE_PATH``; no token needed) and uses
the same storage functions as the bot, so the roster has one set of rules. Bad input gets
one line on stderr and exit status 2; a volunteer that does not exist, exit status 1.

The ``*_volunteer``/``latest_suggestions`` coroutines take an open :class:`Database`, so that
tests (and other tools) can reuse them without going through ``argparse``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.engine import FlowSet, load_flows
from bot.services import mediation
from bot.services.scope import (
    ScopeError,
    check_against_flows,
    parse_countries,
    parse_languages,
)
from bot.storage import cases, records, volunteers
from bot.storage.db import Database
from bot.storage.volunteers import Volunteer

MAX_ALIAS = 64
MAX_USER_ID = 2**52  # the Bot API: user ids have at most 52 significant bits


def _flows(settings: Settings) -> FlowSet:
    result = load_flows(settings.flows_dir)
    if not result.ok:
        raise UsageError(f"the flows in {settings.flows_dir} have errors; run python -m bot "
                         "flows check")
    return result.flows


class UsageError(ScopeError):
    """Input an admin typed that cannot be used; the message is one line they can act on."""


def parse_alias(text: str | None) -> str | None:
    if text is None:
        return None
    alias = " ".join(text.split())
    if not alias or len(alias) > MAX_ALIAS:
        raise UsageError(f"the alias must be 1 to {MAX_ALIAS} characters")
    return alias


async def add_volunteer(db: Database, user_id: int, countries: tuple[str, ...],
                        languages: tuple[str, ...], alias: str | None = None) -> Volunteer:
    """Add or update a volunteer (an existing alias stays unless a new one is given)."""
    async with db.transaction() as tx:
        await volunteers.upsert(tx, user_id, countries, languages, alias)
        await records.audit(tx, None, None, "volunteer_added_cli",
                            f"user={user_id} {','.join(countries)} {','.join(languages)}")
        added = await volunteers.get(tx, user_id)
    assert added is not None
    return added


async def list_volunteers(db: Database) -> list[Volunteer]:
    return await volunteers.all_volunteers(db)


async def remove_volunteer(db: Database, user_id: int, settings: Settings) -> int | None:
    """Remove a volunteer; their taken cases go back to the queue. None if unknown.

    Why release: a case held by someone who is no longer a volunteer could never be answered
    or closed. Released cases get fresh routing timers, so the bot re-notifies them.
    """
    async with db.transaction() as tx:
        held = await cases.for_volunteer(tx, user_id)
        for case in held:
            await mediation.release(tx, case, user_id, settings.renotify_minutes * 60,
                                    settings.admin_escalation_minutes * 60)
        if not await volunteers.remove(tx, user_id):
            return None
        await records.audit(tx, None, None, "volunteer_removed_cli", f"user={user_id}")
    return len(held)


async def latest_suggestions(db: Database, limit: int = 50) -> list[Any]:
    return await records.suggestions(db, limit)


def volunteer_line(volunteer: Volunteer) -> str:
    state = "available" if volunteer.available else "away"
    case = f"case #{volunteer.current_case}" if volunteer.current_case else "-"
    return "\t".join([str(volunteer.user_id), ",".join(volunteer.countries),
                      ",".join(volunteer.languages), volunteer.alias or "-", state, case])


def suggestion_line(row: Any) -> str:
    when = datetime.fromtimestamp(row["created_at"]).strftime("%Y-%m-%d %H:%M")
    where = f"{row['flow_id'] or '-'}/{row['step_id'] or '-'}"
    text = " ".join(str(row["text"]).split())
    return f"#{row['id']}\t{row['kind']}\t{where}\t{when}\t{text}"


@dataclass
class Io:
    out: TextIO
    err: TextIO


async def _with_db(path: Path | str, work: Callable[[Database], Awaitable[int]],
                   create: bool = False) -> int:
    db = await Database.open(path, create=create)
    try:
        return await work(db)
    finally:
        await db.close()


def run(args: Any, settings: Settings, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Dispatch a parsed `volunteer …` or `suggestions` command; return the exit status."""
    io = Io(out or sys.stdout, err or sys.stderr)
    try:
        work = _command(args, settings, io)
    except ScopeError as exc:
        print(f"passerelle: {exc}", file=io.err)
        return 2
    # A relative DATABASE_PATH run from another folder would open a different database (a
    # missing one is refused: only the bot creates it): always say which file this was.
    if settings.database_url:
        from bot.storage.pg import redact

        print(f"database: {redact(settings.database_url)}", file=io.err)
    else:
        print(f"database: {settings.database_path.resolve()}", file=io.err)
    # Only `volunteer add` may create the database (volunteers are added before the first
    # start); listing or removing on a missing file would report on a new, empty one.
    adding = getattr(args, "volunteer_command", None) == "add"
    return asyncio.run(_with_db(settings.database, work, create=adding))


def _command(args: Any, settings: Settings, io: Io) -> Callable[[Database], Awaitable[int]]:
    """Validate everything before the database is opened (or created)."""
    if args.command == "suggestions":
        if args.limit < 1:
            raise UsageError("--limit must be at least 1")
        return lambda db: _suggestions(db, args.limit, io)
    if args.volunteer_command == "list":
        return lambda db: _list(db, io)
    if not 0 < args.user_id < MAX_USER_ID:
        raise UsageError(f"{args.user_id} is not a Telegram user id (a positive number of at "
                         "most 16 digits; the person can see theirs with @userinfobot)")
    if args.volunteer_command == "add":
        countries = parse_countries(args.countries)
        languages = parse_languages(args.languages)
        alias = parse_alias(args.alias)
        for warning in check_against_flows(_flows(settings), countries, languages):
            print(f"passerelle: warning: {warning}", file=io.err)
        return lambda db: _add(db, args.user_id, countries, languages, alias, io)
    if args.volunteer_command == "remove":
        return lambda db: _remove(db, args.user_id, settings, io)
    raise UsageError(f"unknown command {args.volunteer_command!r}")


async def _add(db: Database, user_id: int, countries: tuple[str, ...],
               languages: tuple[str, ...], alias: str | None, io: Io) -> int:
    added = await add_volunteer(db, user_id, countries, languages, alias)
    print(f"volunteer {added.user_id}: {','.join(added.countries)} "
          f"{','.join(added.languages)}" + (f" ({added.alias})" if added.alias else ""),
          file=io.out)
    return 0


async def _remove(db: Database, user_id: int, settings: Settings, io: Io) -> int:
    released = await remove_volunteer(db, user_id, settings)
    if released is None:
        print(f"passerelle: no volunteer with id {user_id} (see: python -m bot volunteer list)",
              file=io.err)
        return 1
    note = f"; {released} case(s) back in the queue" if released else ""
    print(f"volunteer {user_id} removed{note}", file=io.out)
    return 0


async def _list(db: Database, io: Io) -> int:
    roster = await list_volunteers(db)
    if not roster:
        print("no volunteers yet (add one: python -m bot volunteer add ID --countries CC "
              "--languages xx)", file=io.out)
        return 0
    print("user_id\tcountries\tlanguages\talias\tstatus\tcurrent", file=io.out)
    for volunteer in roster:
        print(volunteer_line(volunteer), file=io.out)
    return 0


async def _suggestions(db: Database, limit: int, io: Io) -> int:
    rows = await latest_suggestions(db, limit)
    if not rows:
        print("no suggestions yet", file=io.out)
        return 0
    print("id\tkind\tflow/step\tdate\ttext", file=io.out)
    for row in rows:
        print(suggestion_line(row), file=io.out)
    return 0
