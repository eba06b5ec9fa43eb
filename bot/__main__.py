"""Entry point: `python -m bot` (or `python -m bot run`) runs the bot; subcommands serve
admins and operators (see README and docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Passerelle help desk bot")
    commands = parser.add_subparsers(dest="command")

    flows = commands.add_parser("flows", help="check, test, draw and link the flow files")
    flow_commands = flows.add_subparsers(dest="flows_command", required=True)
    check = flow_commands.add_parser("check", help="report every problem with file:line:column")
    check.add_argument("directory", nargs="?", default=None)
    test = flow_commands.add_parser("test", help="run the flow tests and report step coverage")
    test.add_argument("directory", nargs="?", default=None)
    test.add_argument("-v", "--verbose", action="store_true")
    graph = flow_commands.add_parser("graph", help="print a flow as a Mermaid or DOT graph")
    graph.add_argument("flow_id")
    graph.add_argument("directory", nargs="?", default=None)
    graph.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    graph.add_argument("--lang", default=None, metavar="LL",
                       help="language of the step texts (default: the flow's first)")
    graph.add_argument("--output", "-o", default=None,
                       help="write svg/png with Graphviz (by extension)")
    links = flow_commands.add_parser("links", help="print each flow's t.me deep link")
    links.add_argument("--bot", default=None, help="bot username (default: ask Telegram)")
    links.add_argument("--qr", default=None, metavar="DIR", help="also write QR codes as PNG")
    docs = flow_commands.add_parser("docs", help="write docs/procedures.md from the flows")
    docs.add_argument("--output", default="docs/procedures.md")
    export_po = flow_commands.add_parser("export-translations",
                                         help="write a PO file of every text in one language")
    export_po.add_argument("--lang", required=True, metavar="LL")
    export_po.add_argument("--output", "-o", default=None, metavar="FILE")
    export_po.add_argument("--source", default=None, metavar="LL",
                           help="source language shown beside each text (default: the "
                                "flow's first language)")
    export_po.add_argument("--flows", dest="directory", default=None, metavar="DIR")
    import_po = flow_commands.add_parser("import-translations",
                                         help="write a translated PO file into the flow files")
    import_po.add_argument("file")
    import_po.add_argument("--flows", dest="directory", default=None, metavar="DIR")
    import_po.add_argument("--lang", default=None, metavar="LL",
                           help="language of the translations (default: the PO file's "
                                "Language header)")
    import_po.add_argument("--source", default=None, metavar="LL")
    history = flow_commands.add_parser("history", help="the published versions of a flow")
    history.add_argument("flow_id")
    flow_diff = flow_commands.add_parser("diff", help="what a version changed (default: "
                                         "the current one)")
    flow_diff.add_argument("flow_id")
    flow_diff.add_argument("version", nargs="?", type=int, default=None)

    console = commands.add_parser("console", help="try the flows in a terminal")
    console.add_argument("directory", nargs="?", default=None)
    console.add_argument("--lang", default=None, metavar="LL",
                         help="language of the texts, e.g. ru or zh_Hans (default: ask)")
    console.add_argument("--flow", default=None, metavar="FLOW_ID",
                         help="run this procedure directly (default: choose from a list)")
    console.add_argument("--country", default=None, metavar="CC",
                         help="country code, e.g. KZ (default: ask)")
    console.add_argument("--today", default=None, type=date.fromisoformat, metavar="YYYY-MM-DD",
                         help="the date the flow takes as today (replays date answers)")

    forget = commands.add_parser("forget", help="erase a person as /forget does (a request "
                                 "made outside Telegram)")
    forget.add_argument("user_id", type=int, metavar="ID", help="their Telegram user id")

    volunteer = commands.add_parser("volunteer", help="add, list and remove volunteers")
    volunteer_commands = volunteer.add_subparsers(dest="volunteer_command", required=True)
    add = volunteer_commands.add_parser("add", help="add a volunteer (or change one)")
    add.add_argument("user_id", type=int, metavar="ID", help="their Telegram user id")
    add.add_argument("--countries", required=True, metavar="CC[,CC]",
                     help="ISO country codes, e.g. KZ,KG")
    add.add_argument("--languages", required=True, metavar="xx[,yy]",
                     help="languages they help in, e.g. ru,kk")
    add.add_argument("--alias", default=None, help="the name people see (default: first name)")
    volunteer_commands.add_parser("list", help="the roster")
    remove = volunteer_commands.add_parser("remove", help="remove a volunteer; their cases "
                                           "go back to the queue")
    remove.add_argument("user_id", type=int, metavar="ID")

    report = commands.add_parser("report", help="anonymous report for partners (funnels, "
                                 "outcomes, blockers), small counts hidden")
    report.add_argument("--country", default=None, metavar="CC")
    report.add_argument("--since", default=None, metavar="YYYY-MM-DD",
                        help="first day (UTC), default 30 days before --until")
    report.add_argument("--until", default=None, metavar="YYYY-MM-DD",
                        help="last day (UTC), default today")
    report.add_argument("--format", required=True, choices=["csv", "html", "json"])
    report.add_argument("-o", "--output", default=None, metavar="PATH")
    report.add_argument("--lang", default="en", help="language of titles and labels")

    suggestions = commands.add_parser("suggestions", help="volunteers' suggestions for the flows")
    suggestions.add_argument("--limit", type=int, default=50)

    commands.add_parser("doctor", help="check settings, database, flows and the Bot API")
    backup = commands.add_parser("backup", help="write a consistent copy of the database "
                                 "(safe while the bot runs)")
    backup.add_argument("path", help="the copy's file name, or a folder for a dated name")
    commands.add_parser("run", help="run the bot (the same as no command)")
    commands.add_parser("followups", help="follow-ups waiting and change notes sent (counts)")
    commands.add_parser("set-webhook", help="register WEBHOOK_URL and WEBHOOK_SECRET with "
                        "Telegram (idempotent; once for all processes)")
    to_pg = commands.add_parser("migrate-to-postgres", help="copy a SQLite database into "
                                "DATABASE_URL (every table, counts checked, resumable)")
    to_pg.add_argument("--from", dest="source", required=True, metavar="SQLITE_FILE")
    to_pg.add_argument("--force", action="store_true",
                       help="empty a PostgreSQL database that already holds data first")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; a bad setting is one line on stderr and exit status 2, a database
    that is missing (only the bot creates one) or cannot be written is one line and 1."""
    args = build_parser().parse_args(argv)
    from bot.config import ConfigError
    from bot.storage.db import DatabaseUnavailable

    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"passerelle: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:  # missing, read-only, full disk: which file, why
        print(f"passerelle: {exc}", file=sys.stderr)
        return 1


def _live_or_shipped(settings: Any) -> Any:
    """FLOWS_DIR; before the bot's first start created it, the shipped flows it will copy."""
    if settings.flows_dir.is_dir() or not settings.shipped_flows_dir.is_dir():
        return settings.flows_dir
    print(f"passerelle: FLOWS_DIR {settings.flows_dir} does not exist yet (the bot creates it "
          f"at its first start); using the shipped flows {settings.shipped_flows_dir}",
          file=sys.stderr)
    return settings.shipped_flows_dir


def _dispatch(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    if args.command == "flows":
        directory = getattr(args, "directory", None) or _live_or_shipped(
            load_settings(require_token=False))
        if args.flows_command == "check":
            from bot.cli import flows_check

            return flows_check.run(str(directory))
        if args.flows_command == "test":
            from bot.cli import flows_test

            return flows_test.run(str(directory), verbose=args.verbose)
        if args.flows_command == "graph":
            from bot.cli import flows_graph

            return flows_graph.run(str(directory), args.flow_id, args.format, args.lang,
                                   args.output)
        if args.flows_command == "links":
            from bot.cli import flows_links

            return flows_links.run(str(directory), args.bot, args.qr)
        if args.flows_command == "docs":
            from bot.cli import flows_docs

            return flows_docs.run(str(directory), args.output)
        if args.flows_command == "export-translations":
            from bot.cli import flows_translations

            return flows_translations.export(str(directory), args.lang, args.output,
                                             args.source)
        if args.flows_command == "import-translations":
            from bot.cli import flows_translations

            return flows_translations.import_(args.file, str(directory), args.lang,
                                              args.source)
        if args.flows_command in ("history", "diff"):
            from bot.cli import flows_history

            database = load_settings(require_token=False).database
            if args.flows_command == "history":
                return flows_history.history(database, Path(directory), args.flow_id)
            return flows_history.diff(database, Path(directory), args.flow_id, args.version)
    if args.command == "console":
        from bot.cli import console

        directory = args.directory or load_settings(require_token=False).flows_dir
        return console.run(str(directory), lang=args.lang, flow_id=args.flow,
                           country=args.country, today=args.today)
    if args.command == "doctor":
        from bot.ops.doctor import run_checks

        return run_checks()
    if args.command == "backup":
        from bot.cli import backup

        return backup.run(args.path, load_settings(require_token=False))
    if args.command in ("volunteer", "suggestions"):
        from bot.cli import volunteers

        return volunteers.run(args, load_settings(require_token=False))
    if args.command == "followups":
        from bot.cli import followups

        return followups.run(load_settings(require_token=False))
    if args.command == "forget":
        from bot.cli import forget

        return forget.run(args.user_id, load_settings(require_token=False))
    if args.command == "set-webhook":
        from bot.cli import pg

        return pg.set_webhook(load_settings())
    if args.command == "migrate-to-postgres":
        from bot.cli import pg

        return pg.migrate_to_postgres(args.source, load_settings(require_token=False),
                                      args.force)
    if args.command == "report":
        from bot.cli import report

        return report.run(args.country, args.since, args.until, args.format, args.output,
                          args.lang, load_settings(require_token=False))
    from bot.app import run_bot

    return run_bot()


if __name__ == "__main__":
    sys.exit(main())
