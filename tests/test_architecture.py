"""The layout's rules, read from the code: which way imports go, and what a module may do on import.

channels (connectors/, in the Rasa server) → Rasa → actions (bot/actions/) → the feature packages
(bot/knowledge, records, identity, helpdesk) → the ground floor (bot/settings, db, services, validators,
language) → contract/. The helpdesk console (bot/console/) stands beside the actions on the feature
packages; the tools (bot/tools/) stand on top of it all.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ("knowledge", "records", "identity", "helpdesk")
# A feature package may use another one here, and only here.
ALLOWED_BETWEEN_FEATURES = {("identity", "records.source")}


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", modules("connectors"), ids=name_of)
def test_the_rasa_side_imports_nothing_of_the_action_server(path: Path) -> None:
    assert [i for i in imports(path) if i == "bot" or i.startswith("bot.")] == []


@pytest.mark.parametrize("path", modules("contract"), ids=name_of)
def test_the_contract_is_standard_library_only(path: Path) -> None:
    outside = [
        i
        for i in imports(path)
        if i.split(".")[0] not in sys.stdlib_module_names and i.split(".")[0] != "contract"
    ]
    assert outside == []


@pytest.mark.parametrize("path", modules("bot"), ids=name_of)
def test_imports_run_one_way(path: Path) -> None:
    me = name_of(path).split(".")
    ours = [i.split(".")[1:] for i in imports(path) if i.startswith("bot.")]
    problems = [f"imports connectors: {i}" for i in imports(path) if i.startswith("connectors")]
    for target in ours:
        if not target:
            continue
        if target[0] == "tools" and me[1] != "tools":
            problems.append(f"imports the tools: bot.{'.'.join(target)}")
        if target[0] == "actions" and me[1] not in ("actions", "tools", "action_server"):
            problems.append(f"imports the actions: bot.{'.'.join(target)}")
        if target[0] == "console" and me[1] not in ("console", "tools"):
            problems.append(f"imports the console: bot.{'.'.join(target)}")
        crossing = me[1] in FEATURES and target[0] in FEATURES and target[0] != me[1]
        if crossing and (me[1], ".".join(target[:2])) not in ALLOWED_BETWEEN_FEATURES:
            problems.append(f"one feature package imports another: bot.{'.'.join(target)}")
    assert problems == []


# What a module may do when it is imported: define things. Anything else (setting logging levels or
# warning filters, changing sys.path, opening connections) happens when the program asks for it.
QUIET = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)
# A command-line app registers its commands as it is defined (Typer's `app.add_typer`, `app.command`).
REGISTRATIONS = ("add_typer", "command")


def registers_a_command(node: ast.stmt) -> bool:
    call = node.value if isinstance(node, ast.Expr) else None
    while isinstance(call, ast.Call) and isinstance(call.func, ast.Call):
        call = call.func  # app.command("portal")(serve)
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in REGISTRATIONS
    )


def loud_statements(path: Path) -> list[str]:
    loud = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, QUIET):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if registers_a_command(node):
            continue
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        loud.append(f"line {node.lineno}: {ast.unparse(node).splitlines()[0]}")
    return loud


@pytest.mark.parametrize("path", modules("bot") + modules("contract") + modules("connectors"), ids=name_of)
def test_importing_a_module_only_defines_things(path: Path) -> None:
    assert loud_statements(path) == []


def test_the_rule_catches_what_the_telegram_connector_once_did() -> None:
    old = ROOT / "tests" / "data" / "loud_module.py.txt"
    assert loud_statements(old) == [
        "line 5: for _noisy in ('httpx', 'httpcore'):",
        "line 7: warnings.filterwarnings('ignore', message='.*`retry_after`', "
        "category=PTBDeprecationWarning)",
    ]
