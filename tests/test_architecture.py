"""The shape of the code base (docs/architecture.md), checked on the source of `app/`:

- no import cycle between modules of `app/` (imports inside functions count: a cycle
  hidden in a function is still a cycle);
- `app.services` never imports the views, nor the request-bound parts of Flask;
- no `commit()` in `app/views/` (a command's `transaction()` commits);
- no Python file over 400 lines, no function over 60 lines;
- one Decimal rounding (`money.to_money`), one euro formatter (`money.euros`).
"""

from __future__ import annotations

import ast
import builtins
import re
from functools import cache
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# What a service must be handed by its view instead of reaching for it.
FORBIDDEN_IN_SERVICES = {
    "app.views": "the views",
    "flask.request": "the request",
    "flask.url_for": "url_for (the view passes the URL in)",
    "flask.send_file": "send_file (the view builds the response)",
    "flask_login.current_user": "current_user (the view passes the acting user in)",
    "flask.helpers.url_for": "url_for",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in APP.rglob("*.py")}


def _imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name `module` imports (`from x import y` gives x.y and x), anywhere in
    the file except under `if TYPE_CHECKING:`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return names


@cache
def _graph() -> dict[str, set[str]]:
    """module → the modules of app/ it imports (a package's submodule when named)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in _imported_names(module, path):
            if name in modules and name != module:
                targets.add(name)
        # `from . import x` names the package too: keep the package only when nothing
        # more precise (a submodule) was imported from it.
        graph[module] = {t for t in targets
                         if not any(o.startswith(t + ".") for o in targets if o != t)}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_app():
    cycles = _cycles(_graph())
    assert cycles == [], "import cycles: " + " | ".join(" ↔ ".join(c) for c in cycles)


def test_services_never_import_views_or_the_request():
    offences = []
    for module, path in _modules().items():
        if not module.startswith("app.services"):
            continue
        for name in _imported_names(module, path):
            for forbidden, what in FORBIDDEN_IN_SERVICES.items():
                if name == forbidden or name.startswith(forbidden + "."):
                    offences.append(f"{module} imports {what}")
    assert offences == []


def test_no_commit_in_views():
    offences = [f"{path.relative_to(APP.parent)}:{number}"
                for path in (APP / "views").rglob("*.py")
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"\.commit\(\)", line)]
    assert offences == []


def _own_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's lines, less those of the functions and classes defined inside it (an
    app factory's route handlers are measured one by one)."""
    nested = {line for node in ast.walk(function) if node is not function
              and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
              for line in range(node.lineno - len(node.decorator_list), node.end_lineno + 1)}
    return len(set(range(function.lineno, function.end_lineno + 1)) - nested)


def test_the_function_size_leaves_nested_functions_to_themselves():
    source = "def outer():\n    x = 1\n    def inner():\n        return 2\n    return inner\n"
    outer = ast.parse(source).body[0]
    assert _own_lines(outer) == 3


def test_no_file_over_400_lines_and_no_function_over_60():
    long_files, long_functions = [], []
    for path in sorted(APP.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(APP.parent)
        if source.count("\n") > MAX_FILE_LINES:
            long_files.append(f"{name} ({source.count(chr(10))} lines)")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = _own_lines(node)
                if size > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}:{node.lineno} {node.name} ({size} lines)")
    assert long_files == [] and long_functions == []


@pytest.mark.parametrize(("pattern", "home"), [
    (r"\.quantize\(", "app/services/money.py"),
    (r"ROUND_HALF", "app/services/money.py"),
    (r":,?\.2f\}|\"%\.2f\"", "app/services/money.py"),
    (r"def euros\b", "app/services/money.py"),
])
def test_one_rounding_and_one_euro_formatter(pattern, home):
    places = sorted({str(path.relative_to(APP.parent))
                     for path in APP.rglob("*.py")
                     if re.search(pattern, path.read_text(encoding="utf-8"))})
    assert places == [home]


# --- one error, one shape of command, views that only call ------------------------------

#: Exceptions of app/services that are failures, not refusals of a user's input: they are
#: never shown as a form's errors (a PDF engine failing is a 500; the state's API failing
#: is turned into a CommandError by the commands that call it).
NOT_REFUSALS = {
    "app/services/attendance.py:PdfError": "the PDF engine failed",
    "app/services/billing/pdf.py:PdfError": "the PDF engine failed",
    "app/services/api_particulier/client.py:ApiParticulierError":
        "the state's API failed (kind, retryable); its commands raise CommandError",
    "app/services/upload_active.py:_Active": "an internal signal of the scan",
    "app/services/issued_pdfs.py:StoredPdfError":
        "a stored PDF is missing or altered; caught inside, the PDF is rendered again",
}


def _service_exceptions() -> dict[str, list[str]]:
    """'path:Class' → its base names, for every exception class defined in app/services
    (a class whose base is an exception, found to a fixed point)."""
    classes = {}
    for path in sorted((APP / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                key = f"{path.relative_to(APP.parent)}:{node.name}"
                classes[key] = [ast.unparse(base).rpartition(".")[2] for base in node.bases]
    errors = {name for name in dir(builtins) if name.endswith(("Error", "Exception"))}
    found: dict[str, list[str]] = {}
    while True:
        new = {key: bases for key, bases in classes.items()
               if key not in found and any(b in errors for b in bases)}
        if not new:
            return found
        found.update(new)
        errors |= {key.rpartition(":")[2] for key in new}


def _derives_from(name: str, root: str, exceptions: dict[str, list[str]]) -> bool:
    by_name = {key.rpartition(":")[2]: bases for key, bases in exceptions.items()}
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current == root:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(by_name.get(current, []))
    return False


def test_every_refusal_of_the_services_is_a_command_error():
    exceptions = _service_exceptions()
    assert "app/services/errors.py:CommandError" in exceptions
    offences = sorted(key for key in exceptions
                      if key not in NOT_REFUSALS and key != "app/services/errors.py:CommandError"
                      and not _derives_from(key.rpartition(":")[2], "CommandError", exceptions))
    assert offences == [], "derive these from app.services.errors.CommandError"


def test_views_catch_command_error_not_its_subclasses():
    """A view catches `CommandError` (and Python's own errors of parsing its input), never
    a service's own error class: one way to show a refusal."""
    service_errors = {key.rpartition(":")[2] for key in _service_exceptions()} - {
        "CommandError"}
    offences = []
    for path in sorted((APP / "views").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {ast.unparse(n).rpartition(".")[2] for n in (
                    node.type.elts if isinstance(node.type, ast.Tuple) else [node.type])}
                offences += [f"{path.relative_to(APP.parent)}:{node.lineno} {name}"
                             for name in sorted(names & service_errors)]
    assert offences == []


def test_every_command_is_a_base_command():
    """A service class with `validate()` and `run()` is a command: it derives BaseCommand."""
    import importlib
    import inspect

    from app.services.command import BaseCommand

    offences = []
    for module, path in sorted(_modules().items()):
        if not module.startswith("app.services.") or "def validate" not in path.read_text(
                encoding="utf-8"):
            continue
        for name, value in vars(importlib.import_module(module)).items():
            if (inspect.isclass(value) and value.__module__ == module
                    and callable(getattr(value, "validate", None))
                    and callable(getattr(value, "run", None))
                    and not issubclass(value, BaseCommand)):
                offences.append(f"{module}.{name}")
    assert offences == []


def test_views_write_nothing_themselves():
    """No `db.session.add/delete/merge/flush` in app/views: a command writes."""
    offences = [f"{path.relative_to(APP.parent)}:{number}"
                for path in (APP / "views").rglob("*.py")
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"\bsession\.(add|add_all|delete|merge|flush|execute\(\s*"
                             r"(update|delete|insert))\b", line)]
    assert offences == []
