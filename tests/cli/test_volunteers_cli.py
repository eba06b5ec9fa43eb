"""`python -m bot volunteer add|list|remove` and `python -m bot suggestions` on a real file."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.services import mediation
from bot.storage import cases, records, volunteers
from bot.storage.db import Database

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DATABASE_PATH in a temporary folder; no BOT_TOKEN, no .env (the CLI needs neither)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    path = tmp_path / "data" / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("FLOWS_DIR", str(REPO / "flows"))
    return path


def with_db(path: Path, work: Callable[[Database], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        db = await Database.open(path)
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_and_update_keep_the_alias(db_path: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, "volunteer", "add", "801", "--countries", "KZ,KG",
                           "--languages", "ru,kk", "--alias", "Aida")
    assert code == 0 and out == "volunteer 801: KZ,KG ru,kk (Aida)\n"
    assert run_cli(capsys, "volunteer", "add", "802", "--countries", "SN",
                   "--languages", "fr,wo")[0] == 0
    assert run_cli(capsys, "volunteer", "add", "801", "--countries", "KG",
                   "--languages", "ky")[0] == 0  # changed scope, alias kept

    code, out, _ = run_cli(capsys, "volunteer", "list")
    assert code == 0
    assert out.splitlines() == [
        "user_id\tcountries\tlanguages\talias\tstatus\tcurrent",
        "801\tKG\tky\tAida\tavailable\t-",
        "802\tSN\tfr,wo\t-\tavailable\t-",
    ]
    roster = with_db(db_path, volunteers.all_volunteers)
    assert [(v.user_id, v.countries, v.languages, v.alias) for v in roster] == [
        (801, ("KG",), ("ky",), "Aida"), (802, ("SN",), ("fr", "wo"), None)]


def test_empty_roster_says_how_to_add(db_path: Path, capsys) -> None:
    with_db(db_path, lambda db: asyncio.sleep(0))  # the bot created it, nobody added yet
    code, out, _ = run_cli(capsys, "volunteer", "list")
    assert code == 0 and "python -m bot volunteer add" in out


@pytest.mark.sqlite_only
@pytest.mark.parametrize("argv", [["volunteer", "list"], ["volunteer", "remove", "801"],
                                  ["suggestions"], ["followups"], ["forget", "801"],
                                  ["report", "--format", "csv"], ["flows", "history", "faq"],
                                  ["backup", "copy.sqlite3"]])
def test_a_command_never_creates_the_database(db_path: Path, capsys,
                                              argv: list[str]) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 1 and out == ""
    assert str(db_path) in err and err.strip().count("\n") <= 1
    assert not db_path.exists() and not db_path.parent.exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--countries", "k1", "--languages", "ru"], "not K1"),
    (["--countries", "KAZ", "--languages", "ru"], "not KAZ"),
    (["--countries", ",", "--languages", "ru"], "2 capital letters"),
    (["--countries", "KZ", "--languages", "ru,xx"], "unknown language xx"),
    (["--countries", "KZ", "--languages", "zh"], "unknown language zh"),
    (["--countries", "KZ", "--languages", "ru", "--alias", " "], "alias"),
])
def test_bad_scope_is_one_line_and_exit_2(db_path: Path, capsys, argv: list[str],
                                          message: str) -> None:
    code, out, err = run_cli(capsys, "volunteer", "add", "801", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("passerelle: ") and message in err
    assert not db_path.exists()  # validated before the database is created


def test_bad_user_id(db_path: Path, capsys) -> None:
    code, _, err = run_cli(capsys, "volunteer", "add", "0", "--countries", "KZ",
                           "--languages", "ru")
    assert code == 2 and "not a Telegram user id" in err
    with pytest.raises(SystemExit) as stopped:  # argparse: not a number at all
        main(["volunteer", "remove", "abc"])
    assert stopped.value.code == 2


def test_remove_puts_their_cases_back_in_the_queue(db_path: Path, capsys) -> None:
    run_cli(capsys, "volunteer", "add", "801", "--countries", "KG", "--languages", "ru")

    async def taken_case(db: Database) -> int:
        async with db.transaction() as tx:
            case_id = await cases.create(tx, person_id=5, person_name="A", country="KG",
                                         lang="ru", flow_id=None, step_id=None, reason=None,
                                         context={})
            assert await mediation.take(tx, case_id, 801)
        return case_id

    case_id = with_db(db_path, taken_case)
    code, out, _ = run_cli(capsys, "volunteer", "remove", "801")
    assert code == 0 and out == "volunteer 801 removed; 1 case(s) back in the queue\n"

    async def state(db: Database) -> tuple[Any, ...]:
        case = await cases.get(db, case_id)
        timers = await db.fetchall("SELECT kind FROM timers WHERE done = 0 AND case_id = ?",
                                   (case_id,))
        return case.status, case.volunteer_id, sorted(t["kind"] for t in timers), \
            await volunteers.get(db, 801)

    assert with_db(db_path, state) == ("open", None, ["admins", "renotify"], None)
    code, _, err = run_cli(capsys, "volunteer", "remove", "801")
    assert code == 1 and "no volunteer with id 801" in err


def test_suggestions_newest_first(db_path: Path, capsys) -> None:
    with_db(db_path, lambda db: asyncio.sleep(0))
    code, out, err = run_cli(capsys, "suggestions")
    assert (code, out) == (0, "no suggestions yet\n") and err.startswith("database: ")

    async def suggest(db: Database) -> None:
        async with db.transaction() as tx:
            await records.add_suggestion(tx, 3, 801, "kz-birth", "documents", "unclear",
                                         "which\tcertificate?")
            await records.add_suggestion(tx, 4, 802, "kg-birth", "no_med_cert", "outdated",
                                         "the fine is 2000 som")

    with_db(db_path, suggest)
    code, out, _ = run_cli(capsys, "suggestions")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "id\tkind\tflow/step\tdate\ttext"
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        ["#2", "outdated", "kg-birth/no_med_cert"], ["#1", "unclear", "kz-birth/documents"]]
    assert lines[1].endswith("\tthe fine is 2000 som") and lines[2].endswith("which certificate?")
    assert len(lines[1].split("\t")[3]) == len("2026-01-01 10:00")
    assert run_cli(capsys, "suggestions", "--limit", "1")[1].count("\n") == 2
    assert run_cli(capsys, "suggestions", "--limit", "0")[0] == 2


def test_country_and_language_codes_are_normalised(db_path: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, "volunteer", "add", "801", "--countries", "lb",
                           "--languages", "AR,Fr")
    assert code == 0 and out == "volunteer 801: LB ar,fr\n"


def test_a_country_without_flows_is_refused(db_path: Path, capsys) -> None:
    code, _, err = run_cli(capsys, "volunteer", "add", "801", "--countries", "XX",
                           "--languages", "ru")
    assert code == 2
    assert "no flows for XX" in err and "KZ" in err
    assert not db_path.exists()  # refused before the database was opened


def test_a_language_no_flow_of_the_country_offers_is_a_warning(db_path: Path, capsys) -> None:
    code, out, err = run_cli(capsys, "volunteer", "add", "801", "--countries", "SN",
                             "--languages", "fr,ru")
    assert code == 0 and out == "volunteer 801: SN fr,ru\n"
    assert "warning: no SN flow is in ru" in err


@pytest.mark.parametrize("user_id", ["12345678901234567890123", "0"])
def test_an_impossible_user_id_is_a_clear_error(db_path: Path, capsys, user_id: str) -> None:
    code, _, err = run_cli(capsys, "volunteer", "add", user_id, "--countries", "KZ",
                           "--languages", "ru")
    assert code == 2
    assert "is not a Telegram user id" in err and "Traceback" not in err


@pytest.mark.sqlite_only
def test_every_command_names_the_database_it_used(db_path: Path, capsys) -> None:
    code, _, err = run_cli(capsys, "volunteer", "list")
    assert code == 1 and f"database: {db_path}" in err and f"no database at {db_path}" in err
    with_db(db_path, lambda db: asyncio.sleep(0))
    _, _, err = run_cli(capsys, "volunteer", "list")
    assert f"database: {db_path}\n" in err
