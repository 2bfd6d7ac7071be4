"""Reading a submission's code for shortcuts and tampering, before any of it runs.

Two things earn a ``flagged`` grade, whatever the answers:

* a **shortcut**: the student's code names dlcourse's reference implementation of an
  exercise (``dlcourse.calculus.jacobian`` directly, through an alias or a ``from``
  import, through ``importlib.import_module``/``__import__``, ``getattr`` with a constant
  name or ``sys.modules``, a string that names it, or an attribute chain ending in its
  module and name on a base this reader cannot name, ``box[0].calculus.jacobian``). Only
  the checks whose reference it is get flagged, and of those only the ones whose student
  function reaches the use (a use outside any function, or in one that no exercise's
  function calls, counts against all of them).
* **tampering**: code that reaches into dlcourse's grading machinery (anything of
  ``dlcourse.checks`` but ``check`` and ``run``, anything of ``dlcourse.grader``), changes
  an attribute of dlcourse, numpy, torch or the builtins (``np.allclose = …``,
  ``checks.check = …``, ``torch.Tensor.argmax = …``, ``setattr(np.testing, …)``;
  ``torch.backends.cudnn.deterministic = True`` or ``plt.rcParams[…] = …`` are fine), or
  uses the introspection that could do either out of sight of this reader (``globals()``,
  ``eval``, ``exec``, frames, ``sys.modules``, ``__dict__``, ``getattr`` with a computed
  name or passed as a value, ``operator.attrgetter``, ``__getattribute__``, ``pickle``,
  ``runpy``, the kernel's shell through IPython, other programs, modules the notebook
  writes itself, shell commands and most IPython magics). Every check of the notebook
  gets flagged.

Names are resolved without running anything: imports and simple assignments anywhere in
the notebook (the key's cells included, so ``checks`` from the key's setup cell is
known) bind aliases; strings spelled in constant pieces count as written; a dotted name
through a module's attribute is read as that module's (``os.sys`` is ``sys``); a dotted
name that starts with ``dlcourse`` is then looked up in the grader's own copy of the
library, so a re-export still counts as the reference. The reading is a blocklist and
cannot be complete: at run time the collection cell also arms the reference (``_collect``).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import re
import types
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Sequence

__all__ = ["Code", "Finding", "analyze"]

ALLOWED_CHECKS = {"check", "run"}
INTROSPECTION_NAMES = {
    "globals", "vars", "locals", "eval", "exec", "compile", "breakpoint", "get_ipython",
    "__builtins__", "__loader__", "__spec__",
}
INTROSPECTION_ATTRS = {
    "__dict__", "__globals__", "__builtins__", "__closure__", "__code__", "__subclasses__",
    "__bases__", "__base__", "__mro__", "f_back", "f_globals", "f_locals", "f_builtins",
    "gi_frame", "cr_frame", "ag_frame", "tb_frame",
    # attribute access by a name computed at run time, and what leads to the builtins or code
    "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__self__", "__objclass__",
    "__wrapped__", "__loader__", "__spec__", "__import__", "__reduce__", "__reduce_ex__",
    "cell_contents", "f_code", "f_trace", "tb_next", "gi_code", "cr_code", "ag_code", "co_consts",
    # torch's autograd engine behind the entry points that an exercise's rule closes
    "_execution_engine", "run_backward", "_engine_run_backward", "_make_dual", "_C",
}
INTROSPECTION_DOTTED = {
    "sys.modules", "sys._getframe", "sys.settrace", "sys.setprofile", "sys.addaudithook",
    "sys.meta_path", "sys.path_hooks", "threading.settrace", "threading.setprofile",
    "inspect.currentframe", "inspect.stack", "inspect.trace", "inspect.getouterframes",
    "inspect.getinnerframes", "inspect.getmembers", "inspect.getmembers_static",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents", "types.FunctionType",
    "types.CodeType", "ctypes", "importlib.reload", "importlib.util", "importlib.machinery",
    "importlib.abc", "builtins", "unittest.mock", "mock",
    # more of the same: frames, attribute access by computed names, object graphs, hooks
    "sys._current_frames", "sys.path", "sys.path_importer_cache", "sys.monitoring",
    "sys.remote_exec", "sys.last_traceback", "threading.settrace_all_threads",
    "threading.setprofile_all_threads", "operator.attrgetter", "operator.methodcaller",
    "inspect.getattr_static", "inspect.getclosurevars", "inspect.unwrap", "inspect.getmodule",
    "gc.garbage", "gc.callbacks", "types.LambdaType", "_ctypes", "cffi", "numpy.ctypeslib",
    "site", "importlib.__import__", "importlib._bootstrap", "importlib.resources",
    # code that this reader cannot see: objects unpickled, modules run from their files
    "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib", "marshal", "shelve",
    "copyreg", "runpy", "pkgutil", "code", "codeop", "zipimport", "pydoc", "logging.config",
    "doctest", "pdb", "bdb", "trace", "cProfile", "profile", "_testcapi", "_testinternalcapi",
    "_xxsubinterpreters", "_interpreters", "_posixsubprocess",
    # the kernel's own machinery: its shell runs cells and rewrites their source
    "ipykernel", "jupyter_client", "jupyter_core", "zmq", "nbclient", "traitlets",
    "torch.hub", "torch.package", "torch.utils.cpp_extension", "pandas.read_pickle",
    "torch._C", "torch._functorch", "torch.autograd.variable", "torch.autograd.graph",
}
# Keyword arguments with which a loader unpickles (and so may run) what a file holds.
UNPICKLING = {"allow_pickle": True, "weights_only": False}
# IPython may be used for its display only (IPython.get_ipython() is the shell).
IPYTHON_ALLOWED = ("IPython.display", "IPython.core.display", "IPython.lib.display")
# Other programs: their code is out of this reader's sight (a Python run by subprocess may
# import the reference and print its answers).
PROGRAM_DOTTED = {"subprocess", "os.system", "os.popen", "os.posix_spawn", "os.posix_spawnp",
                  "os.startfile", "pty.spawn", "asyncio.create_subprocess_exec",
                  "asyncio.create_subprocess_shell", "platform.popen", "posix.system",
                  "posix.posix_spawn", "posix.posix_spawnp"}
PROGRAM_PREFIXES = ("os.exec", "os.spawn", "posix.exec")
# timeit runs the code it is given as text: only callables are read.
TEXT_RUNNERS = {"timeit.timeit", "timeit.repeat", "timeit.Timer"}
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "delattr", "hasattr"}
VALUE_ONLY_CALLS = ATTRIBUTE_FUNCTIONS | {"__import__"}
# Modules whose attributes a submission must not change: the library, what its checks
# compute with, and the builtins; torch's switches in torch.backends are the student's.
PROTECTED_ROOTS = {"dlcourse", "numpy", "torch", "builtins"}
UNPROTECTED = ("torch.backends",)
# IPython magics a submission may use; for those that run code, the code is read too.
CODE_MAGICS = {"time", "timeit", "capture", "prun"}
PLAIN_MAGICS = {"matplotlib", "config", "precision", "pprint", "who", "whos", "autoreload"}
MAGIC_CALLS = ("run_line_magic", "run_cell_magic")
REACH = "which can reach into the grader's code"
_TIMEIT_OPTIONS = re.compile(r"^(\s*-(?:[nrp]\s*\S+|[tcqo]))*\s*")


@dataclass(frozen=True)
class Code:
    """A cell's source; ``where`` is None for the key's own (trusted) cells."""

    source: str
    where: str | None = None


@dataclass(frozen=True)
class Finding:
    """Why a check is flagged; ``check_id`` None means every check of the notebook."""

    check_id: str | None
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@functools.lru_cache(maxsize=256)
def _transform(source: str) -> str:
    """IPython syntax (magics, ``!cmd``) as the Python it runs."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython gives up on some inputs; keep the source
        return source


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(_transform(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # nor can it run
        return None


def _const_str(node: ast.AST | None) -> str | None:
    """The text of a string constant, also when it is spelled in pieces (``'jaco' + 'bian'``,
    ``f'{"x"}y'``, ``''.join(['a', 'b'])``), so that the pieces count as the whole."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _const_str(node.left), _const_str(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_const_str(v.value if isinstance(v, ast.FormattedValue) else v)
                 for v in node.values]
        return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join" and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], (ast.List, ast.Tuple))):
        sep = _const_str(node.func.value)
        parts = [_const_str(e) for e in node.args[0].elts]
        if sep is not None and all(p is not None for p in parts):
            return sep.join(p or "" for p in parts)
    return None


def _canonical(dotted: str) -> str:
    """``dotted`` with its longest prefix that names a module the grader has loaded replaced by
    that module's own name: ``os.sys.modules`` is ``sys.modules``, ``numpy.ctypeslib.ctypes``
    is ``ctypes``. Names of modules that are not loaded stay as they are."""
    import sys

    parts = dotted.split(".")
    obj = sys.modules.get(parts[0])
    if not isinstance(obj, types.ModuleType):
        return dotted
    best, at = obj.__name__, 1
    for i, part in enumerate(parts[1:], start=2):
        try:
            obj = inspect_static(obj, part)
        except AttributeError:
            break
        if not isinstance(obj, types.ModuleType):
            break
        best, at = obj.__name__, i
    return ".".join([best, *parts[at:]])


def inspect_static(obj: Any, name: str) -> Any:
    """``obj.name`` for a module, without running a module's ``__getattr__``."""
    try:
        return vars(obj)[name]
    except (KeyError, TypeError):
        raise AttributeError(name) from None


def _lookup(dotted: str) -> Any:
    """The object a ``dlcourse…`` dotted name denotes in the grader's library, or None."""
    parts = dotted.split(".")
    if parts[0] != "dlcourse":
        return None
    try:
        obj: Any = importlib.import_module("dlcourse")
        for part in parts[1:]:
            if isinstance(obj, types.ModuleType) and not hasattr(obj, part):
                name = f"{obj.__name__}.{part}"
                if importlib.util.find_spec(name) is None:
                    return None
                importlib.import_module(name)
            obj = getattr(obj, part)
    except Exception:  # noqa: BLE001 - an optional dependency missing, a bad name
        return None
    return obj


class _Analyzer:
    def __init__(self, registry: Mapping[str, Any]) -> None:
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.called: set[int] = set()
        self.references: dict[str, list[Any]] = {}
        for check_id, chk in registry.items():
            refs = [chk.reference] + [_lookup(n) for n in chk.reference_names]
            self.references[check_id] = [r for r in refs if r is not None]
        from dlcourse import checks

        self.checks_ok = {id(checks)} | {id(getattr(checks, name)) for name in ALLOWED_CHECKS}
        self.findings: list[Finding] = []
        #: names bound only to constant strings (``for name in ("weight", "bias")``,
        #: ``key = "lr"``) → those strings; a name bound any other way maps to None
        self.constant_names: dict[str, set[str] | None] = {}
        #: the student function each check calls, and which names each function of the
        #: notebook refers to: a use of a reference inside one exercise's function counts
        #: against the checks whose functions reach it, not against every check
        self.functions = {check_id: chk.function for check_id, chk in registry.items()
                          if isinstance(getattr(chk, "function", None), str)}
        self.uses: dict[str, set[str]] = defaultdict(set)
        self.loaded: set[str] = set()
        self.enclosing: dict[int, str] = {}

    # ------------------------------------------------------------------ names
    def bind(self, tree: ast.Module) -> bool:
        """Add the aliases that ``tree``'s imports and assignments make; True if any was new."""
        before = sum(len(v) for v in self.aliases.values())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname].add(a.name)
                    else:
                        top = a.name.split(".")[0]
                        self.aliases[top].add(top)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name == "*":
                        for name in self._public_names(node.module):
                            self.aliases[name].add(f"{node.module}.{name}")
                    else:
                        self.aliases[a.asname or a.name].add(f"{node.module}.{a.name}")
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                values = self.dotted(node.value)
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.aliases[target.id] |= values
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                self.aliases[node.optional_vars.id] |= self.dotted(node.context_expr)
        return sum(len(v) for v in self.aliases.values()) != before

    def bind_constants(self, tree: ast.Module) -> None:
        """Record, for each name, the constant strings it is bound to (None: not only those)."""

        def add(target: ast.AST, values: set[str] | None) -> None:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    known = self.constant_names.get(node.id, set())
                    single = values if isinstance(target, ast.Name) else None
                    self.constant_names[node.id] = (None if known is None or single is None
                                                    else known | single)

        def strings(node: ast.AST) -> set[str] | None:
            text = _const_str(node)
            if text is not None:  # for c in "xy": its characters
                return set(text)
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                texts = [_const_str(e) for e in node.elts]
                return None if any(t is None for t in texts) else set(texts)  # type: ignore[arg-type]
            return None

        for node in ast.walk(tree):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                add(node.target, strings(node.iter))
            elif isinstance(node, ast.Assign):
                text = _const_str(node.value)
                for target in node.targets:
                    add(target, None if text is None else {text})
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                add(node.target, None)
            elif isinstance(node, ast.arg):
                self.constant_names[node.arg] = None
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    self.constant_names[(a.asname or a.name).split(".")[0]] = None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.constant_names[node.name] = None
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        add(item.optional_vars, None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                self.constant_names[node.name] = None
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                self.constant_names[node.name] = None
            elif isinstance(node, ast.MatchMapping) and node.rest:
                self.constant_names[node.rest] = None
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self.constant_names[name] = None

    def bind_functions(self, tree: ast.Module) -> None:
        """Record the names each function refers to, and every name the notebook reads."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.loaded.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.uses[node.name] |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}

    def _reach(self, function: str) -> set[str]:
        """``function`` and the notebook's functions it refers to, directly or not."""
        seen, todo = {function}, [function]
        while todo:
            for name in self.uses.get(todo.pop(), ()):
                if name in self.uses and name not in seen:
                    seen.add(name)
                    todo.append(name)
        return seen

    def concerns(self, check_id: str, node: ast.AST) -> bool:
        """Does a reference used at ``node`` count against ``check_id``?

        Yes, unless the use sits in a function that the check's own function does not reach
        while another exercise's function does (that exercise's check is flagged), or it is
        an import whose names the notebook reads (the reads are judged where they are).
        """
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = {(a.asname or a.name).split(".")[0] for a in node.names}
            return "*" in bound or not bound <= self.loaded
        home = self.enclosing.get(id(node))
        function = self.functions.get(check_id)
        if home is None or function is None or home in self._reach(function):
            return True
        return not any(home in self._reach(f) for f in set(self.functions.values()))

    def attribute_names(self, node: ast.AST) -> set[str] | None:
        """The names an attribute-name argument can hold: one constant, or the constants a
        name is only ever bound to (``for name in ("weight", "bias"): getattr(m, name)``)."""
        text = _const_str(node)
        if text is not None:
            return {text}
        if isinstance(node, ast.Name):
            return self.constant_names.get(node.id)
        return None

    @staticmethod
    def _public_names(module: str) -> list[str]:
        mod = _lookup(module)
        if not isinstance(mod, types.ModuleType):
            return []
        return list(getattr(mod, "__all__", [n for n in vars(mod) if not n.startswith("_")]))

    def dotted(self, node: ast.AST) -> set[str]:
        """The dotted names an expression may denote (empty when it is not a name)."""
        if isinstance(node, ast.Name):
            return set(self.aliases.get(node.id, ()))
        if isinstance(node, ast.Attribute):
            return {f"{d}.{node.attr}" for d in self.dotted(node.value)}
        if isinstance(node, ast.Subscript):
            key = _const_str(node.slice)
            if key and "sys.modules" in self.dotted(node.value):
                return {key}
            return set()
        if isinstance(node, ast.Call):
            func = node.func
            name = _const_str(node.args[0]) if node.args else None
            if isinstance(func, ast.Name) and func.id not in self.aliases:
                if func.id == "__import__" and name:
                    keywords = [k.value for k in node.keywords if k.arg == "fromlist"]
                    fromlist = node.args[3:4] or keywords
                    return {name if fromlist else name.split(".")[0]}
                attr = _const_str(node.args[1]) if len(node.args) >= 2 else None
                if func.id == "getattr" and attr:
                    return {f"{d}.{attr}" for d in self.dotted(node.args[0])}
            if name and "importlib.import_module" in self.dotted(func):
                return {name}
        return set()

    # ------------------------------------------------------------------ findings
    def flag(self, check_id: str | None, where: str, node: ast.AST, lines: list[str],
             message: str) -> None:
        if check_id is not None and not self.concerns(check_id, node):
            return
        line = getattr(node, "lineno", 0)
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        text = text if len(text) <= 80 else text[:79] + "…"
        place = f"{where}, line {line}" + (f" (`{text}`)" if text else "")
        self.findings.append(Finding(check_id, place, message))

    def judge_name(self, dotted: str) -> Iterator[tuple[str | None, str]]:
        """(check id or None, why) for each rule that the use of ``dotted`` breaks."""
        for name in dict.fromkeys((dotted, _canonical(dotted))):
            why = _forbidden(name)
            if why:
                yield None, f"uses {name}, {why}"
                return
        parts = dotted.split(".")
        if not _installed(parts[0]):
            yield None, (f"imports {parts[0]}, which is not installed: a module that the "
                         "notebook writes itself hides its code from the grader")
            return
        if parts[0] != "dlcourse":
            return
        if parts[:2] == ["dlcourse", "grader"] or (parts[:2] == ["dlcourse", "checks"] and not (
            len(parts) == 2 or (len(parts) == 3 and parts[2] in ALLOWED_CHECKS)
        )):
            yield None, f"uses {dotted}, part of dlcourse's grading machinery"
            return
        obj = _lookup(dotted)
        if obj is None:
            return
        is_module = isinstance(obj, types.ModuleType)
        module = getattr(obj, "__name__" if is_module else "__module__", "")
        if isinstance(module, str) and module.startswith(("dlcourse.checks", "dlcourse.grader")):
            if id(obj) not in self.checks_ok:
                yield None, f"uses {dotted}, part of dlcourse's grading machinery"
        for check_id, refs in self.references.items():
            if any(obj is r for r in refs):
                yield check_id, (f"uses {dotted}, dlcourse's reference implementation of this "
                                 f"exercise ({check_id})")

    def inspect(self, tree: ast.Module, where: str, source: str) -> None:
        lines = _transform(source).splitlines()
        allowed_ipython: set[int] = set()
        self.called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        self.enclosing = {}
        for top in ast.walk(tree):  # outermost function first: ast.walk goes breadth first
            if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(top):
                    self.enclosing.setdefault(id(inner), top.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._magic(node, where, lines, allowed_ipython)
        for node in ast.walk(tree):
            names: set[str] = set()
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                mod = node.module
                star = node.names[0].name == "*"
                imported = self._public_names(mod) if star else [a.name for a in node.names]
                names = {mod} | {f"{mod}.{n}" for n in imported}
            elif isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
                names = self.dotted(node)
            for dotted in sorted(names):
                for check_id, why in self.judge_name(dotted):
                    self.flag(check_id, where, node, lines, why)
            if isinstance(node, ast.Attribute) and not names:
                for check_id, why in self._tail(node):
                    self.flag(check_id, where, node, lines, why)
            self._introspection(node, where, lines, allowed_ipython)
            self._stores(node, where, lines)

    def _tail(self, node: ast.Attribute) -> Iterator[tuple[str | None, str]]:
        """Rules for an attribute chain on a base this reader cannot name (``box[0].calculus
        .jacobian``, ``f().grader._collect``): its last names alone say what it reaches."""
        chain: list[str] = []
        base: ast.AST = node
        while isinstance(base, ast.Attribute):
            chain.insert(0, base.attr)
            base = base.value
        from dlcourse import checks

        for a, b in zip(chain, chain[1:]):
            if (a == "grader" and importlib.util.find_spec(f"dlcourse.grader.{b}") is not None
                    or a == "checks" and b not in ALLOWED_CHECKS and hasattr(checks, b)):
                yield None, f"uses .{a}.{b}, part of dlcourse's grading machinery"
                return
            for check_id, refs in self.references.items():
                if any(getattr(r, "__name__", None) == b
                       and str(getattr(r, "__module__", "")).rsplit(".", 1)[-1] == a for r in refs):
                    yield check_id, (f"uses .{a}.{b}, dlcourse's reference implementation of "
                                     f"this exercise ({check_id})")

    def _builtin_call(self, node: ast.AST, *names: str) -> bool:
        """Is ``node`` a call of one of these builtins (not rebound by an import)?"""
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in names and node.func.id not in self.aliases)

    def _introspection(self, node: ast.AST, where: str, lines: list[str],
                       allowed: set[int]) -> None:
        flag = functools.partial(self.flag, None, where, node, lines)
        if isinstance(node, ast.Name) and node.id in INTROSPECTION_NAMES:
            if id(node) not in allowed and node.id not in self.aliases:
                flag(f"uses {node.id}, {REACH}")
        elif isinstance(node, ast.Attribute) and node.attr in INTROSPECTION_ATTRS:
            flag(f"uses .{node.attr}, {REACH}")
        elif isinstance(node, ast.Call) and node.args and not _const_str(node.args[0]):
            if self._builtin_call(node, "__import__") or (
                "importlib.import_module" in self.dotted(node.func)
            ):
                flag("imports a module whose name is computed at run time")
        if isinstance(node, ast.Name) and node.id in VALUE_ONLY_CALLS and (
            id(node) not in self.called and node.id not in self.aliases
        ):
            flag(f"passes {node.id} around as a value, which looks up attributes or modules "
                 "out of this reader's sight")
        if self._builtin_call(node, *ATTRIBUTE_FUNCTIONS - {"hasattr"}):
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            arg = node.args[1] if len(node.args) >= 2 else None
            literal = _const_str(arg)
            names = self.attribute_names(arg) if arg is not None else set()
            bases = self.dotted(node.args[0]) if arg is not None and literal is None else set()
            if names is None or (node.func.id != "getattr" and any(
                    _canonical(d).split(".")[0] in PROTECTED_ROOTS | {"sys"} for d in bases)):
                flag(f"calls {node.func.id} with an attribute name computed at run time")
            for name in sorted(names or ()):
                if name in INTROSPECTION_ATTRS:
                    flag(f"uses .{name}, {REACH}")
                elif literal is None and name.startswith("__"):
                    flag(f"calls {node.func.id} with the special name {name}, {REACH}")
                for base in sorted(bases):  # each name the loop may look up, as if written
                    for check_id, why in self.judge_name(f"{base}.{name}"):
                        self.flag(check_id, where, node, lines, why)
        if isinstance(node, (ast.Constant, ast.BinOp, ast.JoinedStr)):
            self._strings(node, where, lines)
        if isinstance(node, ast.Call) and TEXT_RUNNERS & {_canonical(d) for d in self.dotted(node.func)}:
            texts = [*node.args[:2], *(k.value for k in node.keywords if k.arg in ("stmt", "setup"))]
            if any(not isinstance(t, (ast.Lambda, ast.Name, ast.Attribute)) for t in texts):
                flag("runs code given as text, out of this reader's sight")
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if (kw.arg in UNPICKLING and isinstance(kw.value, ast.Constant)
                        and kw.value.value == UNPICKLING[kw.arg]):
                    flag(f"loads with {kw.arg}={kw.value.value}, which unpickles: code out of "
                         "this reader's sight")

    def _strings(self, node: ast.AST, where: str, lines: list[str]) -> None:
        """Flag text that names dlcourse's grading machinery or a reference (a pickle payload,
        a name to look up by other means)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
            text: str | None = node.value.decode("latin-1")
        else:
            text = _const_str(node)
        if not text or "dlcourse" not in text:
            return
        if "dlcourse.grader" in text or re.search(r"dlcourse\.checks\.\w", text):
            self.flag(None, where, node, lines, "names dlcourse's grading machinery in a string")
            return
        for check_id, refs in self.references.items():
            for ref in refs:
                module, name = getattr(ref, "__module__", None), getattr(ref, "__name__", None)
                if isinstance(module, str) and isinstance(name, str) and module in text and (
                    re.search(rf"\b{re.escape(name)}\b", text.replace(module, ""))
                ):
                    self.flag(check_id, where, node, lines,
                              f"names {module}.{name}, dlcourse's reference implementation of "
                              f"this exercise ({check_id}), in a string")
                    break

    def _stores(self, node: ast.AST, where: str, lines: list[str]) -> None:
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        elif self._builtin_call(node, "setattr", "delattr"):
            assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            for dotted in sorted(_protected(self.dotted(node.args[0]))) if node.args else ():
                self.flag(None, where, node, lines, f"changes an attribute of {dotted} with "
                                                    f"{node.func.id}")
            return
        for target in _flatten(targets):
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                for dotted in sorted(_protected(self.dotted(target.value))):
                    attr = f".{target.attr}" if isinstance(target, ast.Attribute) else "[…]"
                    self.flag(None, where, target, lines, f"changes {dotted}{attr}")

    def _magic(self, node: ast.Call, where: str, lines: list[str], allowed: set[int]) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)):
            return
        inner = func.value.func
        if not (isinstance(inner, ast.Name) and inner.id == "get_ipython"):
            return
        name = _const_str(node.args[0]) if node.args else None
        if func.attr in ("system", "getoutput"):
            allowed.add(id(inner))
            self.flag(None, where, node, lines, "runs a shell command")
        elif func.attr in MAGIC_CALLS and name in PLAIN_MAGICS | CODE_MAGICS:
            allowed.add(id(inner))
            if name in CODE_MAGICS:
                for arg in node.args[1:3]:
                    code = _const_str(arg)
                    tree = _parse(_TIMEIT_OPTIONS.sub("", code, count=1)) if code else None
                    if tree is not None:
                        self.inspect(tree, where, code or "")
        elif func.attr in MAGIC_CALLS:
            allowed.add(id(inner))
            self.flag(None, where, node, lines, f"uses the IPython magic %{name}, which "
                                                "submissions may not use")


def _forbidden(dotted: str) -> str:
    """Why a submission may not use ``dotted`` (a module or one of its attributes), or ""."""
    def within(prefix: str) -> bool:
        return dotted == prefix or dotted.startswith(prefix + ".")

    if any(within(bad) for bad in INTROSPECTION_DOTTED):
        return REACH
    if within("IPython") and dotted != "IPython" and not any(map(within, IPYTHON_ALLOWED)):
        return "the kernel's shell, which can run code out of this reader's sight"
    if any(within(bad) for bad in PROGRAM_DOTTED) or dotted.startswith(PROGRAM_PREFIXES):
        return "which runs another program, whose code the grader cannot read"
    return ""


@functools.lru_cache(maxsize=1024)
def _installed(top: str) -> bool:
    """Whether a top-level module of this name can be imported here (without importing it)."""
    import sys

    if top in sys.modules or top in sys.builtin_module_names or not top.isidentifier():
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _protected(names: Iterable[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in PROTECTED_ROOTS
            and not any(n == u or n.startswith(u + ".") for u in UNPROTECTED)}


def _flatten(targets: Iterable[ast.AST]) -> Iterator[ast.AST]:
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)):
            yield from _flatten(t.elts)
        elif isinstance(t, ast.Starred):
            yield from _flatten([t.value])
        else:
            yield t


def analyze(cells: Sequence[Code], checks: Mapping[str, Any]) -> list[Finding]:
    """Findings for the student's cells of one notebook (``where`` set), in order, without repeats.

    ``checks`` maps the notebook's check ids to their :class:`~dlcourse.checks.Check`.
    """
    analyzer = _Analyzer(checks)
    trees = [(_parse(c.source), c) for c in cells]
    for _ in range(4):  # aliases of aliases: a few rounds reach the fixed point
        changed = [analyzer.bind(tree) for tree, _ in trees if tree is not None]
        if not any(changed):
            break
    for tree, _ in trees:
        if tree is not None:
            analyzer.bind_constants(tree)
            analyzer.bind_functions(tree)
    for tree, cell in trees:
        if tree is not None and cell.where is not None:
            analyzer.inspect(tree, cell.where, cell.source)
    seen: set[tuple[str | None, str]] = set()
    unique = []
    for f in analyzer.findings:
        if (f.check_id, f.message) not in seen:
            seen.add((f.check_id, f.message))
            unique.append(f)
    return unique
