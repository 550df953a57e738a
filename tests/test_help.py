"""Every command's --help at 80 columns, and usage errors as plain one-line errors.

Rendered in this process through the console-script entry point (``zkpor.cli.main``) with
COLUMNS=80, for every command and group the app has (found by walking it, so a new command
is checked without editing this file)."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from collections.abc import Iterator

import pytest
import typer

from zkpor.cli import app, main


def _paths() -> Iterator[list[str]]:
    def walk(cmd: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


PATHS = list(_paths())


def run(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "dumb")
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args)
    except SystemExit as exc:
        code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(p) for p in PATHS}
    for expected in ("prove", "verify user", "verify audit", "reserves check", "publish"):
        assert expected in names
    assert len(PATHS) > 15


def _examples(text: str) -> list[str]:
    """The example commands of a help text: the indented lines after "Example(s):",
    with backslash continuations joined."""
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.strip() not in ("Example:", "Examples:"):
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
            if lines[j].strip().startswith("zkpor "):
                cmd = lines[j].strip()
                while cmd.endswith("\\"):
                    j += 1
                    cmd = cmd[:-1] + lines[j].strip()
                out.append(cmd)
            j += 1
    return out


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "zkpor")
def test_help_renders_well_at_80_columns(path: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run([*path, "--help"], monkeypatch)
    assert code == 0 and not err, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
    assert "<bool>" not in out
    usage = lines[0]
    assert usage.startswith("Usage: zkpor") and "{" not in usage and "}" not in usage
    # no rich boxes, no sentences cut by "..." in command lists, no word broken at a hyphen
    assert not re.search(r"[╭╰│─]", out)
    assert "..." not in out.replace("[ARGS]...", "")
    assert not any(re.search(r"[A-Za-z]-$", line) for line in lines), out
    assert not any(re.search(r"\[(default|required)?:?$", line) for line in lines), out
    # every flag has help; every option that takes a value and has a default shows it
    assert not re.search(r"^\s+--\S+( <\w+>)?\s*$", out, re.M), out
    for example in _examples(out):
        argv = shlex.split(example.split(" > ")[0])
        assert argv[0] == "zkpor"
        words = [w for w in argv[1:] if not w.startswith("-")]
        assert any(" ".join(words[: len(p)]) == " ".join(p) for p in PATHS if p), example


def test_every_command_with_an_example_pastes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands have examples, and each one parses: its options exist (click refuses an
    unknown one before running anything, so parse with --help appended)."""
    seen = 0
    for path in PATHS:
        _, out, _ = run([*path, "--help"], monkeypatch)
        for example in _examples(out):
            argv = shlex.split(example.split(" > ")[0])[1:]
            code, _, err = run([*argv, "--help"], monkeypatch)
            assert code == 0, (example, err)
            seen += 1
    assert seen >= 15


def test_defaults_and_choices_are_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out, _ = run(["prove", "--help"], monkeypatch)
    assert re.search(r"--arity <int>.*\[default: 16\]", out, re.S)
    assert "[default: 256]" in out and "[default: 1]" in out
    _, out, _ = run(["export", "--help"], monkeypatch)
    assert "json|binary" in out and "[default: json]" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["verify", "user", "p.json"], "give exactly one of --manifest"),
        (["prove", "--balances", "b.csv"], "Missing options: --assets, --secret, --round, --out."),
        (["export", "b", "--all", "--format", "xml"], "'xml' is not one of"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["verify", "user"], "Missing argument 'PROOF'"),
        (["verify", "user", "p.json", "--no-such"], "No such option: --no-such"),
        (["prove", "--arity", "many"], "Invalid value for '--arity'"),
    ],
)
def test_usage_errors_are_one_plain_line(
    args: list[str], needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(args, monkeypatch)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, err
    assert not re.search(r"[╭╰│─]", err) and "Traceback" not in err
    assert out == ""


def test_usage_error_with_json_is_json_on_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    code, out, _ = run(["verify", "audit", "--json"], monkeypatch)
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and "PROOF" not in data["error"]
    assert "Missing argument 'BUNDLE'" in data["error"] and data["exit_code"] == 2


def test_every_missing_required_option_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 23 item 8: `zkpor prove` alone lists all five required options in one line."""
    assert run(["prove"], monkeypatch) == (
        2,
        "",
        "error: Missing options: --balances, --assets, --secret, --round, --out. "
        "(see zkpor prove --help)\n",
    )
    code, _, err = run(["prove", "--balances", "b.csv", "--assets", "a.toml"], monkeypatch)
    assert (code, err) == (
        2,
        "error: Missing options: --secret, --round, --out. (see zkpor prove --help)\n",
    )
    code, _, err = run(["keygen"], monkeypatch)  # one missing: click's own message
    assert (code, err) == (2, "error: Missing option '--out'. (see zkpor keygen --help)\n")


def test_one_way_to_name_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bundle a command reads is its first argument; the bundle prove writes is --out."""
    for command in (["export"], ["publish"], ["verify", "audit"]):
        code, out, _ = run([*command, "--help"], monkeypatch)
        assert code == 0 and out.startswith(f"Usage: zkpor {' '.join(command)} [OPTIONS] BUNDLE")
    code, out, _ = run(["prove", "--help"], monkeypatch)
    assert "--out <path>" in out and "--progress-json <path>" in out
    assert "[default: one per available core]" in " ".join(out.split())
    code, _, err = run(["export", "--bundle", "b", "--all"], monkeypatch)
    assert code == 2 and "No such option: --bundle" in err
