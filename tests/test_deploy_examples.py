"""The deployment examples in docs/deploy are valid for the tools that read them.

Checked as far as the machine allows: `systemd-analyze verify` for the unit and `nginx -t`
for the proxy, each skipped (not passed) where the tool is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (DEPLOY / "passerelle.service").read_text()
    # verify checks that the programs exist and the user is known: point them at this machine.
    unit = unit.replace("/opt/passerelle/.venv/bin/python", sys.executable)
    unit = unit.replace("/opt/passerelle", str(tmp_path))
    unit = unit.replace("User=passerelle", "User=root").replace("Group=passerelle", "Group=root")
    (tmp_path / "data").mkdir()
    (tmp_path / ".env").write_text("")
    path = tmp_path / "passerelle.service"
    path.write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                            text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if "passerelle.service" in line]
    assert result.returncode == 0 and not complaints, result.stderr


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="no nginx or openssl")
def test_the_nginx_example_is_accepted_by_nginx(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=bot.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = (DEPLOY / "nginx.conf").read_text()
    server = server.replace("/etc/letsencrypt/live/bot.example.org/fullchain.pem", str(cert))
    server = server.replace("/etc/letsencrypt/live/bot.example.org/privkey.pem", str(key))
    server = server.replace("listen 443 ssl;", "listen 127.0.0.1:18443 ssl;")
    server = server.replace("listen [::]:443 ssl;", "")
    (tmp_path / "server.conf").write_text(server)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include {tmp_path}/server.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c",
                             str(tmp_path / "nginx.conf")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def _exposure(unit: Path) -> tuple[float, str]:
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)],
                            capture_output=True, text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    if found is None:
        pytest.skip(f"systemd-analyze security --offline is not available: {result.stderr[:200]}")
    return float(found.group(1)), result.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_unit_stays_as_confined_with_a_private_umask(tmp_path: Path) -> None:
    """Issue 18: FLOWS_DIR moved into the data folder and UMask=0077 must not loosen the
    sandbox: the exposure score stays at or under the one before (6.7), the umask passes."""
    unit = tmp_path / "passerelle.service"
    unit.write_text((DEPLOY / "passerelle.service").read_text())
    score, report = _exposure(unit)
    assert score <= 6.7, report
    assert any(line.startswith("✓ UMask=") for line in report.splitlines()), report
    text = unit.read_text()
    assert "UMask=0077" in text and "ReadWritePaths=/opt/passerelle/data" in text
    assert "flows check flows" not in text  # the live flows, not the shipped folder
