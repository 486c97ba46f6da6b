"""The wheel installs one namespace, ``dataledger`` (and the devnet's ``dataledger_devnet``), and holds
every module of the project's packages, the contract artifacts, and nothing of the development tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.test_architecture import PACKAGES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source")  # setuptools builds in the tree: keep the checkout clean
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in (*PACKAGES, "hardhat-free-devnet"):
        shutil.copytree(REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*pip_wheel, "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("dataledger-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_installs_only_the_two_namespaced_top_level_names(wheel_names: set[str]) -> None:
    top_level = {name.split("/")[0] for name in wheel_names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"dataledger", "dataledger_devnet"}


def test_every_module_of_the_project_is_in_the_wheel(wheel_names: set[str]) -> None:
    expected = {
        f"dataledger/{path.relative_to(REPO).as_posix()}"
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
    }
    assert expected - wheel_names == set()


def test_the_wheel_carries_the_contract_artifacts_and_no_development_tools(wheel_names: set[str]) -> None:
    assert {
        "dataledger/ledger/chain/artifacts/DataRightsRegistry.json",
        "dataledger/ledger/chain/artifacts/LicenceRegistry.json",
        "dataledger/ledger/chain/artifacts/AnchorRegistry.json",
    } <= wheel_names
    # the development tools of scripts/ (benchmarks, the compiler, screenshots, dev.sh) and the tests
    tools = ("bench", "compile_contracts", "screenshots", "dev.sh")
    assert not [name for name in wheel_names if "tests/" in name or name.rsplit("/", 1)[-1].startswith(tools)]


def _requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        name = requirement.split(";")[0].split("[")[0]
        for separator in ("=", "<", ">", "!", "~", " "):
            name = name.split(separator)[0]
        names.add(name.strip().lower().replace("_", "-"))
    return names


def _runtime_closure() -> set[str]:
    """Every distribution the runtime dependencies pull in, transitively."""
    import importlib.metadata as metadata

    pending = _requirement_names(metadata.requires("dataledger") or [])
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            pending |= _requirement_names(metadata.requires(name) or [])
        except metadata.PackageNotFoundError:
            continue
    return seen


def test_runtime_code_imports_only_runtime_dependencies_and_no_test_tools() -> None:
    """What the installed ledger imports is what it depends on; eth-tester and py-solc-x are dev extras."""
    import importlib.metadata as metadata

    from tests.test_architecture import imported_modules

    runtime = _runtime_closure()
    distributions = metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    missing: dict[str, set[str]] = {}
    for folder in (*PACKAGES, "hardhat-free-devnet/dataledger_devnet"):
        for path in (REPO / folder).rglob("*.py"):
            for module in imported_modules(path):
                top = module.split(".")[0]
                if top in stdlib or top in ("dataledger", "dataledger_devnet", "__future__"):
                    continue
                owners = {d.lower().replace("_", "-") for d in distributions.get(top, [])}
                if not owners & runtime:
                    missing.setdefault(top, set()).add(str(path.relative_to(REPO)))
    assert not missing, f"imported at run time but not a runtime dependency: {missing}"
    assert not {"eth-tester", "py-solc-x"} & _requirement_names(metadata.requires("dataledger") or [])
