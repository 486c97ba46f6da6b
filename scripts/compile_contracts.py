"""Compile the Solidity contracts into the committed artifacts, or check that those are current.

Tests and the runtime load ``ledger/chain/artifacts/<Name>.json`` and never need a compiler, as web3.py does
with its test contracts; ``--check`` proves the committed artifacts match the sources.

The compiler is the npm ``solc`` package (solcjs, pinned in package.json), driven through py-solc-x's
standard-JSON interface. py-solc-x expects a native ``solc`` binary, and ``solcjs --standard-json``
prints a note about SMT solvers on stdout before the JSON, so a throw-away adapter stands in for the
binary: it answers ``--version`` like solc and compiles standard JSON with solcjs, resolving imports
like ``solc --base-path <repo> --include-path node_modules``.

Usage: ``python scripts/compile_contracts.py [--check]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = "contracts"
ARTIFACTS_DIR = Path("ledger") / "chain" / "artifacts"
NODE_MODULES = "node_modules"

COMPILER_SETTINGS: Mapping[str, Any] = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 200},
}
_CONTRACT_OUTPUTS = ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata"]

# Stands in for a native solc binary; {solc_package} and {include_paths} are filled in as JSON.
_ADAPTER_SOURCE = """\
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require({solc_package});
const includePaths = {include_paths};
const args = process.argv.slice(2);
if (args.includes("--version")) {{
  process.stdout.write("solc, the solidity compiler commandline interface\\n");
  process.stdout.write("Version: " + solc.version() + "\\n");
  process.exit(0);
}}
if (!args.includes("--standard-json")) {{
  process.stderr.write("solcjs adapter: only --version and --standard-json are supported\\n");
  process.exit(2);
}}
const basePathAt = args.indexOf("--base-path");
const roots = [basePathAt >= 0 ? args[basePathAt + 1] : "."].concat(includePaths);
function readImport(unit) {{
  if (path.isAbsolute(unit) || unit.split("/").includes("..")) {{
    return {{ error: "import outside the base and include paths: " + unit }};
  }}
  for (const root of roots) {{
    const file = path.join(root, unit);
    if (fs.existsSync(file)) {{
      return {{ contents: fs.readFileSync(file, "utf8") }};
    }}
  }}
  return {{ error: "file not found in " + roots.join(", ") + ": " + unit }};
}}
process.stdout.write(solc.compile(fs.readFileSync(0, "utf8"), {{ import: readImport }}));
"""


class ContractsCompileError(RuntimeError):
    """The contracts could not be compiled; the message says why."""


class CompilerUnavailable(ContractsCompileError):
    """node or the pinned npm solc package is missing."""


@dataclass(frozen=True)
class Compilation:
    """The artifacts of one compile, as file name -> exact bytes, and the compiler's warnings."""

    artifacts: dict[str, bytes]
    warnings: tuple[str, ...]


def locate_solcjs(root: Path = REPO_ROOT) -> tuple[Path, Path]:
    """Return (node executable, solc package directory), checking solc is the version package.json pins."""
    node = shutil.which("node")
    if node is None:
        raise CompilerUnavailable("node is not on PATH; install Node.js to compile the contracts")
    package_dir = root / NODE_MODULES / "solc"
    try:
        installed = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]
    except FileNotFoundError:
        raise CompilerUnavailable(f"{package_dir} is missing; run `npm ci` in {root}") from None
    pinned = json.loads((root / "package.json").read_text(encoding="utf-8"))["devDependencies"]["solc"]
    if installed != pinned:
        raise CompilerUnavailable(
            f"node_modules has solc {installed} but package.json pins {pinned}; run `npm ci`"
        )
    return Path(node), package_dir


@contextmanager
def solc_adapter(node: Path, solc_package: Path, include_paths: Sequence[Path]) -> Iterator[Path]:
    """Yield the path of an executable that py-solc-x can call as if it were a native solc."""
    with tempfile.TemporaryDirectory(prefix="dataledger-solc-") as tmp:
        adapter = Path(tmp) / "solc"
        script = _ADAPTER_SOURCE.format(
            solc_package=json.dumps(str(solc_package)),
            include_paths=json.dumps([str(p) for p in include_paths]),
        )
        adapter.write_text(f"#!{node}\n{script}", encoding="utf-8")
        adapter.chmod(0o755)
        yield adapter


def standard_json_input(root: Path = REPO_ROOT) -> dict[str, Any]:
    """The compiler input: every source under contracts/, given by content so the compile sees exactly it."""
    sources = {
        path.relative_to(root).as_posix(): {"content": path.read_bytes().decode("utf-8")}
        for path in sorted((root / CONTRACTS_DIR).rglob("*.sol"))
    }
    if not sources:
        raise ContractsCompileError(f"no Solidity sources under {root / CONTRACTS_DIR}")
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            **COMPILER_SETTINGS,
            "outputSelection": {"*": {"*": _CONTRACT_OUTPUTS, "": ["ast"]}},
        },
    }


def compile_contracts(root: Path = REPO_ROOT) -> Compilation:
    """Compile contracts/ and return the artifact of every deployable contract, without writing anything."""
    node, solc_package = locate_solcjs(root)
    compiler_input = standard_json_input(root)
    with solc_adapter(node, solc_package, [root / NODE_MODULES]) as solc_binary:
        try:
            output = solcx.compile_standard(compiler_input, base_path=root, solc_binary=solc_binary)
        except SolcError as exc:
            # Compile errors are in the message; a crash of the adapter only in its stderr.
            detail = exc.message if exc.error_dict else f"{exc.message}\n{exc.stderr_data or ''}".strip()
            raise ContractsCompileError(detail) from None

    artifacts: dict[str, bytes] = {}
    for source_name, contract_name in _deployable_contracts(output):
        file_name = f"{contract_name}.json"
        if file_name in artifacts:
            raise ContractsCompileError(
                f"two deployable contracts are named {contract_name}; artifact names must be unique"
            )
        contract = output["contracts"][source_name][contract_name]
        artifacts[file_name] = _artifact_bytes(contract_name, contract, root)
    warnings = tuple(
        error["formattedMessage"] for error in output.get("errors", ()) if error["severity"] != "error"
    )
    return Compilation(artifacts=artifacts, warnings=warnings)


def _deployable_contracts(output: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(source unit, contract name) of every non-abstract contract defined under contracts/."""
    for source_name in sorted(output["sources"]):
        if not source_name.startswith(f"{CONTRACTS_DIR}/"):
            continue
        for node in output["sources"][source_name]["ast"]["nodes"]:
            if (
                node["nodeType"] == "ContractDefinition"
                and node["contractKind"] == "contract"
                and not node["abstract"]
            ):
                yield source_name, node["name"]


def _artifact_bytes(contract_name: str, contract: Mapping[str, Any], root: Path) -> bytes:
    metadata = json.loads(contract["metadata"])
    artifact = {
        "contractName": contract_name,
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
        # The metadata's version omits solcjs's ".Emscripten.clang" build suffix, so a native solc
        # of the same release would stamp the same string.
        "compiler": {
            "name": "solc",
            "version": metadata["compiler"]["version"],
            "settings": COMPILER_SETTINGS,
        },
        "sourceHashes": {name: _sha256(_source_path(name, root)) for name in sorted(metadata["sources"])},
    }
    return (json.dumps(artifact, indent=2, sort_keys=True) + "\n").encode()


def _source_path(source_name: str, root: Path) -> Path:
    # The same resolution order as the adapter's import callback: base path, then node_modules.
    for base in (root, root / NODE_MODULES):
        if (base / source_name).is_file():
            return base / source_name
    raise ContractsCompileError(f"cannot find the compiled source {source_name}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stale_artifacts(expected: Mapping[str, bytes], artifacts_dir: Path) -> list[str]:
    """Describe every artifact in ``artifacts_dir`` that differs from ``expected``, missing or extra."""
    problems = []
    for file_name, content in sorted(expected.items()):
        path = artifacts_dir / file_name
        if not path.is_file():
            problems.append(f"{path} is missing")
        elif path.read_bytes() != content:
            problems.append(f"{path} is stale{_why_stale(path.read_bytes(), content)}")
    for path in sorted(artifacts_dir.glob("*.json")):
        if path.name not in expected:
            problems.append(f"{path} belongs to no contract in {CONTRACTS_DIR}/")
    return problems


def _why_stale(committed: bytes, fresh: bytes) -> str:
    try:
        old, new = json.loads(committed), json.loads(fresh)
    except json.JSONDecodeError:
        return " (not valid JSON)"
    old_sources, new_sources = old.get("sourceHashes", {}), new["sourceHashes"]
    changed = sorted(
        name
        for name in old_sources.keys() | new_sources.keys()
        if old_sources.get(name) != new_sources.get(name)
    )
    if changed:
        return ": sources changed: " + ", ".join(changed)
    fields = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    return ": differs in " + ", ".join(fields) if fields else ": formatting differs"


def write_artifacts(artifacts: Mapping[str, bytes], artifacts_dir: Path) -> list[str]:
    """Write ``artifacts``, removing artifacts of contracts that no longer exist; return what changed."""
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    changes = []
    for file_name, content in sorted(artifacts.items()):
        path = artifacts_dir / file_name
        if not path.is_file() or path.read_bytes() != content:
            path.write_bytes(content)
            changes.append(f"wrote {path}")
    for path in sorted(artifacts_dir.glob("*.json")):
        if path.name not in artifacts:
            path.unlink()
            changes.append(f"removed {path}")
    return changes


def main(argv: Sequence[str] | None = None) -> int:
    """Write the artifacts (with ``--check``, only verify them) and return the exit code."""
    parser = argparse.ArgumentParser(prog="compile_contracts", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="compile in memory and fail if a committed artifact differs; write nothing",
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    artifacts_dir = root / ARTIFACTS_DIR

    try:
        compilation = compile_contracts(root)
    except ContractsCompileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in compilation.warnings:
        print(warning, file=sys.stderr)

    if args.check:
        problems = stale_artifacts(compilation.artifacts, artifacts_dir)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            print("run `python scripts/compile_contracts.py` and commit the artifacts", file=sys.stderr)
            return 1
        print(f"{len(compilation.artifacts)} artifact(s) in {ARTIFACTS_DIR.as_posix()}/ are current")
        return 0

    changes = write_artifacts(compilation.artifacts, artifacts_dir)
    for change in changes:
        print(change)
    if not changes:
        print(f"{len(compilation.artifacts)} artifact(s) already current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
