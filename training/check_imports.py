"""Fails on an import cycle among the training modules: `python3 -m training.check_imports`
(smoke.sh runs it). Standard library only; the modules are read, not imported.

Every import counts, a function's own included: a cycle there still means two modules that
cannot be understood (or moved) one without the other. Importing a.b.c first runs package
a.b's __init__.py, so it depends on a.b too, unless the importer is inside a.b itself.
"""
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent  # training/
PACKAGE = ROOT.name


def module_name(path):
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    """{dotted name: (path, is a package)} for every .py file under training/."""
    return {module_name(p): (p, p.name == "__init__.py") for p in sorted(ROOT.rglob("*.py"))
            if "__pycache__" not in p.parts}


def imports(name, path, is_package, known):
    """The training modules `name` imports, anywhere in its file."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            # from package import submodule
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
    deps = set()
    for target in found:
        if target not in known:
            continue
        deps.add(target)
        parts = target.split(".")
        for k in range(1, len(parts)):  # the packages it runs first
            parent = ".".join(parts[:k])
            if parent in known and not (name == parent or name.startswith(parent + ".")):
                deps.add(parent)
    deps.discard(name)
    return deps


def find_cycle(graph):
    """One cycle as a list of names (first == last), or None; depth-first search."""
    state, stack = {}, []

    def visit(n):
        state[n] = "open"
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == "open":
                return stack[stack.index(m):] + [m]
            if m not in state:
                cycle = visit(m)
                if cycle:
                    return cycle
        state[n] = "done"
        stack.pop()
        return None

    for n in sorted(graph):
        if n not in state:
            cycle = visit(n)
            if cycle:
                return cycle
    return None


def main():
    known = modules()
    graph = {n: imports(n, p, pkg, known) for n, (p, pkg) in known.items()}
    cycle = find_cycle(graph)
    if cycle:
        print("import cycle: " + " -> ".join(cycle), file=sys.stderr)
        sys.exit(1)
    edges = sum(len(v) for v in graph.values())
    print(f"check_imports: {len(graph)} training modules, {edges} imports among them, no cycle")


if __name__ == "__main__":
    main()
