"""`flows links`: deep links per flow, QR codes as PNG files, the username from getMe."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.cli import flows_links

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def links(flows_dir: Path, bot: str | None, qr: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = flows_links.run(str(flows_dir), bot, str(qr) if qr else None, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_links_and_qr_codes(flows_dir: Path, tmp_path: Path) -> None:
    code, out, err = links(flows_dir, "@PasserelleTestBot", tmp_path / "qr")
    assert code == 0, err
    assert out.splitlines() == [
        "XA  https://t.me/PasserelleTestBot?start=xa-boat  Boat licence",
        "XA  https://t.me/PasserelleTestBot?start=xa-permit  Fishing permit",
        f"wrote 2 QR codes to {tmp_path / 'qr'}",
    ]
    for flow_id in ("xa-boat", "xa-permit"):
        data = (tmp_path / "qr" / f"{flow_id}.png").read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert b"IHDR" in data[:16] and data.endswith(b"IEND\xaeB`\x82")


def test_links_without_qr_write_nothing(flows_dir: Path, tmp_path: Path) -> None:
    code, out, _err = links(flows_dir, "PasserelleTestBot")
    assert code == 0
    assert "wrote" not in out
    assert not list(tmp_path.rglob("*.png"))


def test_bad_username_exits_2(flows_dir: Path) -> None:
    code, _out, err = links(flows_dir, "no way")
    assert code == 2
    assert "is not a bot username" in err


def test_deep_link_parameter_is_checked() -> None:
    assert flows_links.deep_link("Bot_bot", "kz-birth_2") == "https://t.me/Bot_bot?start=kz-birth_2"
    with pytest.raises(ValueError):
        flows_links.deep_link("Bot_bot", "x" * 65)
    with pytest.raises(ValueError):
        flows_links.deep_link("Bot_bot", "a.b")


def test_without_bot_or_token_exits_2(flows_dir: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    code, out, err = links(flows_dir, None)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "--bot" in err


class _FakeTelegram(BaseHTTPRequestHandler):
    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        type(self).calls.append(self.path)
        body = json.dumps({"ok": True, "result": {
            "id": 42, "is_bot": True, "first_name": "P", "username": "FakePasserelleBot"}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def fake_telegram() -> Iterator[str]:
    _FakeTelegram.calls = []
    server = HTTPServer(("127.0.0.1", 0), _FakeTelegram)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/bot"
    server.shutdown()
    server.server_close()


def test_username_comes_from_one_getme(flows_dir: Path, tmp_path: Path, fake_telegram: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("TELEGRAM_API_URL", fake_telegram)
    code, out, err = links(flows_dir, None)
    assert code == 0, err
    assert "https://t.me/FakePasserelleBot?start=xa-permit" in out
    assert _FakeTelegram.calls == ["/bot123456:" + "A" * 35 + "/getMe"]
