import ast
from pathlib import Path

from django.db import transaction
from django.test import SimpleTestCase, TestCase
from django_tasks_db.models import DBTaskResult

from daptar.lib import jobs

PACKAGE = Path(__file__).resolve().parents[2]


class JobsTests(TestCase):
    def test_every_apps_tasks_are_known_by_app_label_and_name(self) -> None:
        self.assertEqual(
            jobs.task_named("directives.notify_recipients").module_path,
            "daptar.directives.tasks.notify_recipients",
        )
        self.assertEqual(
            jobs.task_named("reports.make_renditions").module_path,
            "daptar.reports.tasks.make_renditions",
        )

    def test_a_misspelt_name_fails_inside_the_action(self) -> None:
        with self.assertRaisesMessage(LookupError, "'directives.notify_everyone'"):
            jobs.after_commit("directives.notify_everyone", 1)

    def test_the_task_is_queued_when_the_transaction_commits(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            jobs.after_commit("letters.notify_sent", 7)
            self.assertFalse(DBTaskResult.objects.exists())
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.letters.tasks.notify_sent")
        self.assertEqual(task.args_kwargs["args"], [7])

    def test_nothing_is_queued_for_a_rolled_back_write(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    jobs.after_commit("letters.notify_sent", 7)
                    raise RuntimeError
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertFalse(DBTaskResult.objects.exists())


def import_graph() -> dict[str, set[str]]:
    """Every module of the project (tests and migrations aside) and the project modules it
    imports, at any depth of the file (type-checking and function-level imports included)."""
    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


class ImportCycleTests(SimpleTestCase):
    def test_the_cycle_finder_sees_a_cycle(self) -> None:
        graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
        self.assertEqual(cycles(graph), [["a", "b", "c"]])

    def test_no_module_imports_itself_back(self) -> None:
        """Models name other apps' models by string, and actions start tasks by name."""
        self.assertEqual(cycles(import_graph()), [])
