"""`flows graph`: every step and edge label in Mermaid and DOT; rendering through Graphviz."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import flows_graph

STEPS = ["intro", "age", "adult", "minor", "kind", "papers", "office", "done", "other"]


def graph(flows_dir: Path, fmt: str, lang: str | None = None, flow: str = "xa-permit",
          output: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = flows_graph.run(str(flows_dir), flow, fmt, lang, output, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_mermaid_has_every_step_and_edge_label(flows_dir: Path) -> None:
    code, out, _err = graph(flows_dir, "mermaid")
    assert code == 0
    assert out.splitlines()[1] == "flowchart TD"
    for step in STEPS:
        assert f"n_{step}" in out and f'"{step} · ' in out
    assert '-->|"age #gt;= 18"| n_kind' in out
    assert '-->|"else"| n_minor' in out
    assert '-->|"River #lt;day#gt;"| n_papers' in out
    assert '-->|"Sea #124; year"| n_other' in out
    assert 'n_papers -->|"done"| n_office' in out
    # quotes and brackets in texts are escaped, shapes follow the kind
    assert 'n_intro["intro · say<br/>Welcome. A permit costs 10 #quot;coins#quot;…"]' in out
    assert 'n_adult{"adult · branch"}' in out
    assert 'n_done(["done · end<br/>All set, {kind}."])' in out
    assert "class n_minor kind_escalate" in out
    assert 'n_other -.-> n_flow_xa_boat' in out and 'n_flow_xa_boat[["flow xa-boat' in out
    assert "n___start" in out


def test_mermaid_in_another_language(flows_dir: Path) -> None:
    code, out, _err = graph(flows_dir, "mermaid", "fr")
    assert code == 0
    assert '-->|"Rivière (jour)"| n_papers' in out
    assert "Quel âge avez-vous ?" in out


def test_dot_has_every_step_and_edge_label(flows_dir: Path) -> None:
    code, out, _err = graph(flows_dir, "dot")
    assert code == 0
    assert out.startswith('digraph "xa-permit" {')
    for step in STEPS:
        assert f'"{step}" [label="{step} · ' in out
    for label in ["age >= 18", "else", "River <day>", "Sea | year", "done"]:
        assert f'[label="{label}"]' in out
    assert 'costs 10 \\"coins\\"' in out
    assert '"adult" [label="adult · branch", shape=diamond]' in out
    assert 'fillcolor="#ffdddd"' in out  # the escalation stands out
    assert '"other" -> "flow:xa-boat" [style=dashed]' in out


def test_quotes_and_backslashes_are_escaped() -> None:
    assert flows_graph.dot_string('a "b" \\n') == '"a \\"b\\" \\\\n"'
    assert flows_graph.mermaid_escape('a "b" [c] <d> #e |f') == (
        "a #quot;b#quot; [c] #lt;d#gt; #35;e #124;f")
    assert flows_graph.mermaid_id("end") == "n_end"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_output_parses_with_graphviz(flows_dir: Path, tmp_path: Path) -> None:
    for lang in ("en", "fr"):
        _code, out, _err = graph(flows_dir, "dot", lang)
        done = subprocess.run(["dot", "-Tsvg"], input=out.encode(), capture_output=True,
                              check=False)
        assert done.returncode == 0, done.stderr.decode()
        assert b"<svg" in done.stdout
    code, out, _err = graph(flows_dir, "mermaid", output=str(tmp_path / "g.svg"))
    assert code == 0
    assert (tmp_path / "g.svg").read_bytes().lstrip().startswith(b"<?xml")
    code, out, _err = graph(flows_dir, "dot", output=str(tmp_path / "g.png"))
    assert code == 0
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_rendering_without_graphviz_exits_2(flows_dir: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flows_graph.shutil, "which", lambda _name: None)
    code, _out, err = graph(flows_dir, "dot", output=str(tmp_path / "g.svg"))
    assert code == 2
    assert "apt-get install graphviz" in err
    assert not (tmp_path / "g.svg").exists()


def test_unknown_extension_exits_2(flows_dir: Path, tmp_path: Path) -> None:
    code, _out, err = graph(flows_dir, "dot", output=str(tmp_path / "g.pdf"))
    assert code == 2
    assert ".svg or .png" in err


def test_unknown_flow_suggests_close_ids(flows_dir: Path) -> None:
    code, out, err = graph(flows_dir, "mermaid", flow="xa-bot")
    assert code == 1
    assert out == ""
    assert "no flow `xa-bot`; did you mean xa-boat" in err


def test_flow_with_errors_is_not_drawn(flows_dir: Path) -> None:
    path = flows_dir / "XA" / "boat.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("next: nowhere", "")
                    + "    next: nowhere\n", encoding="utf-8")
    code, out, err = graph(flows_dir, "mermaid", flow="xa-boat")
    assert code == 1
    assert out == ""
    assert "boat.yaml" in err and "error" in err
