"""Every file the portal reads at run time (templates, static files, the message catalogue) is package
data of the wheel, so an installed portal has its pages."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PORTAL = REPO / "portal"


def test_every_file_the_portal_reads_is_in_its_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["dataledger.portal"]
    data = [
        path.relative_to(PORTAL).as_posix()
        for path in PORTAL.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert {"messages/catalogue.json", "templates/base.html", "static/portal.css"} <= set(data)
    assert [name for name in data if not any(fnmatch.fnmatch(name, glob) for glob in patterns)] == []
    packages = {
        path.parent.relative_to(REPO).as_posix().replace("/", ".") for path in PORTAL.rglob("__init__.py")
    }
    assert {f"dataledger.{package}" for package in packages} <= set(config["packages"])
