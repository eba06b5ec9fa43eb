"""`python -m bot forget ID`: the /forget erasure for a request made outside Telegram."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services import mediation
from bot.storage import cases, inbox, users
from bot.storage.db import Database
from bot.storage.users import User

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from traces import file_traces, table_traces

PERSON = 4242427


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    path = tmp_path / "data" / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


async def a_person_with_a_case(path: Path) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await users.save(tx, User(PERSON, "ru", "KG"))
            await inbox.add_many(tx, [{"update_id": 7, "message": {
                "message_id": 1, "date": 1, "text": "I am Aigul from Osh",
                "from": {"id": PERSON, "is_bot": False, "first_name": "Aigul"},
                "chat": {"id": PERSON, "type": "private", "first_name": "Aigul"}}}])
            case_id = await cases.create(tx, person_id=PERSON, person_name="Aigul", country="KG",
                                         lang="ru", flow_id=None, step_id=None,
                                         reason="I am Aigul from Osh", context={})
            assert await mediation.take(tx, case_id, 801)
            await cases.add_message(tx, case_id, "in", PERSON, "text", "I am Aigul from Osh")
    finally:
        await db.close()


def test_forget_from_the_command_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(a_person_with_a_case(db_path))
    assert table_traces(db_path, ["Aigul"], PERSON)
    assert main(["forget", str(PERSON)]) == 0
    out = capsys.readouterr().out
    assert out == f"user {PERSON} erased from {db_path}\n"
    assert table_traces(db_path, ["Aigul", "Osh"], PERSON) == []
    assert file_traces(db_path, ["Aigul", "Osh"], PERSON) == []
    assert main(["forget", "0"]) == 2
