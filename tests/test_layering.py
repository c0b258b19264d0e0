"""The core stays pure: no network, database or clock outside the modules allowed to have them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
FORBIDDEN_IMPORTS = {"aiohttp", "socket", "sqlite3", "aiosqlite", "asyncpg", "random"}
NETWORK_ALLOWED = {"pidm/net.py", "pidm/cli.py"}
CLOCK_ALLOWED = {"pidm/clock.py"}
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("time", "time"), ("date", "today")}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_core_opens_no_socket_or_database() -> None:
    offenders = {}
    for path in _modules("pidm"):
        if _rel(path) in NETWORK_ALLOWED or path.name.startswith("cli_"):
            continue  # the CLI layer (pidm/cli*.py) is an edge, like net.py
        bad = _imports(ast.parse(path.read_text())) & FORBIDDEN_IMPORTS
        if bad:
            offenders[_rel(path)] = bad
    assert offenders == {}


def test_only_clock_reads_the_clock() -> None:
    offenders = []
    for package in ("pidm", "issuer", "verifier", "wallet", "pidm_demo", "service_kit"):
        for path in _modules(package):
            if _rel(path) in CLOCK_ALLOWED:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and (node.func.value.id, node.func.attr) in FORBIDDEN_CALLS
                ):
                    offenders.append(f"{_rel(path)}:{node.lineno}")
    assert offenders == []


def test_handlers_do_not_import_store_backends() -> None:
    offenders = []
    for package in ("issuer", "verifier"):
        for path in _modules(package):
            if not path.name.startswith(("handlers", "routes")):
                continue
            for name in _imports_full(ast.parse(path.read_text())):
                if ".store." in name + "." and not name.endswith("store.base"):
                    offenders.append(f"{_rel(path)} imports {name}")
    assert offenders == []


def test_service_kit_imports_no_service() -> None:
    """The shared plumbing serves both services, so it may depend on neither (nor the wallet)."""
    modules = _modules("service_kit")
    assert len(modules) >= 3
    offenders = {}
    for path in modules:
        bad = _imports(ast.parse(path.read_text())) & {"issuer", "verifier", "wallet", "pidm_demo"}
        if bad:
            offenders[_rel(path)] = bad
    assert offenders == {}


def _imports_full(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_layering_walker_sees_a_forbidden_import() -> None:
    tree = ast.parse("import socket\nfrom aiohttp import web\n")
    assert _imports(tree) & FORBIDDEN_IMPORTS == {"socket", "aiohttp"}
