"""Install commands the docs give work as written (issue 23, item 6): no package index has
zkpor, so no guide or message tells anyone to `pip install 'zkpor[...]'`; the wheel the docs
name is the one `python -m build` writes for this version."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest

from zkpor.errors import InputError
from zkpor.prover import parallel

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
WHEEL = f"dist/zkpor-{VERSION}-py3-none-any.whl"


def _texts() -> dict[str, str]:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "zkpor").rglob("*.py")]
    return {str(p.relative_to(ROOT)): p.read_text() for p in files}


def test_no_install_from_an_index_that_has_no_zkpor() -> None:
    bad = {
        name: re.findall(r"pip install ['\"]?zkpor\[\w+\]", text) for name, text in _texts().items()
    }
    assert {k: v for k, v in bad.items() if v and k != "docs/operators.md"} == {}
    # operators.md names the wrong command once, to say it finds nothing
    ops = (ROOT / "docs/operators.md").read_text()
    assert ops.count("pip install 'zkpor[dask]'") == 1
    assert "`pip install 'zkpor[dask]'` finds nothing" in ops


def test_the_wheel_named_is_this_version() -> None:
    for name, text in _texts().items():
        for wheel in re.findall(r"dist/zkpor-[0-9.]+-py3-none-any\.whl", text):
            assert wheel == WHEEL, name
    ops = (ROOT / "docs/operators.md").read_text()
    assert f'/opt/zkpor/bin/pip install "{WHEEL}[dask]"' in ops


def test_scheduler_without_dask_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_dask(name: str, *args: object) -> object:
        if name == "distributed":
            raise ImportError("No module named 'distributed'")
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel.importlib, "import_module", no_dask)
    with pytest.raises(InputError) as info, parallel.make_executor(1, "tcp://127.0.0.1:9"):
        pass
    assert str(info.value) == (
        f"--scheduler needs Dask: install zkpor with its dask extra (pip install "
        f"'{WHEEL}[dask]', or pip install '.[dask]' in a checkout)"
    )
