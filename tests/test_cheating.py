"""Cheats that aim at the grade, not the machine: each must earn no points it did not solve.

A submission may try to call dlcourse's reference implementation of the exercise through
a path the grader's static reading (``_static``) does not follow, or to reach into the
grading machinery out of its sight. The reading flags each route below; and whatever
route it misses, the collection cell arms the reference while the student's function
runs (``_collect``), so that a call from student code marks the answers and the grader
flags the check. Correct code in the styles students use is never flagged (also
``tests/test_answers.py``). All of this runs in-process: no kernel is started.
"""

from __future__ import annotations

import json
import os
import textwrap

import numpy as np
import pytest

import dlcourse
from dlcourse import checks
from dlcourse.grader import _collect, _notebook, _plan, _runner, _static

from .test_grade_command import SETUP

REGISTRY = {c: checks.get(c) for c in ("02.derivative", "02.jacobian", "02.critical_point")}


def findings(code: str) -> list[_static.Finding]:
    return _static.analyze([_static.Code(SETUP), _static.Code(textwrap.dedent(code), "cell 5")],
                           REGISTRY)


# Each reaches the reference (flagged for its check) or the machinery (flagged for all).
OBFUSCATED = {
    "attrgetter": "import operator\nJ = operator.attrgetter('calculus.jacobian')(dlcourse)",
    "reduce_getattr": "import functools\nJ = functools.reduce(getattr, ['calculus', 'jacobian'], dlcourse)",
    "getattr_in_pieces": "import dlcourse.calculus as c\nJ = getattr(c, 'jaco' + 'bian')",
    "getattr_joined": "import dlcourse.calculus as c\nJ = getattr(c, ''.join(['jaco', 'bian']))",
    "getattr_computed": "import dlcourse.calculus as c\nJ = getattr(c, 'naibocaj'[::-1])",
    "type_getattribute": "import dlcourse.calculus as c\nJ = type(c).__getattribute__(c, 'jacobian')",
    "object_getattribute": "import dlcourse.calculus as c\nJ = object.__getattribute__(c, 'jacobian')",
    "importlib_dunder_import": "import importlib\nJ = importlib.__import__('dlcourse.calculus', fromlist=['x']).jacobian",
    "import_in_pieces": "J = __import__('dlcourse.' + 'calculus', fromlist=['x']).jacobian",
    "pickle_global": "import pickle\nJ = pickle.loads(b'cdlcourse.calculus\\njacobian\\n.')",
    "pickle_payload_alone": "payload = b'cdlcourse.calculus\\njacobian\\n.'",
    "sys_modules_by_getattr": "m = getattr(__import__('sys'), 'mod' + 'ules')['dlcourse.calculus']",
    "sys_through_os": "import os\nm = os.sys.modules['dlcourse.calculus']",
    "gc_by_getattr": "import gc as g\nobjs = getattr(g, 'get_' + 'objects')()",
    "builtins_through_self": "run = len.__self__.exec",
    "builtins_through_getattr": "run = getattr(getattr(len, '__se' + 'lf__'), 'ex' + 'ec')",
    "builtins_through_globals": "def f():\n    pass\nb = getattr(f, '__glo' + 'bals__')['__builtins__']",
    "closure_cell": "def f():\n    x = 1\n    return lambda: x\nv = f().__closure__[0].cell_contents",
    "ipython_shell": "import IPython\nIPython.get_ipython().input_transformers_post.append(lambda l: l)",
    "ipython_by_import": "sh = __import__('IPython').get_ipython()\nsh.run_cell('1')",
    "ipykernel": "from ipykernel.kernelapp import IPKernelApp\napp = IPKernelApp.instance()",
    "runpy": "import runpy\nJ = runpy.run_module('dlcourse.calculus')['jacobian']",
    "numpy_ctypeslib": "ct = np.ctypeslib.ctypes",
    "object_setattr": "object.__setattr__(np, 'allclose', lambda *a, **k: True)",
    "setattr_as_value": "s = setattr\ns(np, 'allclose', lambda *a, **k: True)",
    "setattr_computed": "setattr(np, 'all' + 'close', lambda *a, **k: True)",
    "checks_through_attrgetter": "import operator\nr = operator.attrgetter('get')(checks)",
    "container_reference": "box = [dlcourse]\nJ = box[0].calculus.jacobian",
    "container_collect": "box = {'d': dlcourse}\nbox['d'].grader._collect.collect = print",
    "container_checks": "b = (lambda: dlcourse)()\nr = b.checks.get('02.jacobian').reference",
    "grader_named_in_a_string": "name = 'dlcourse.grader._collect'",
    "methodcaller": "import operator\nf = operator.methodcaller('__getattribute__', 'jacobian')",
    "subprocess_python": "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'print(1)'])",
    "os_system": "import os\nos.system('true')",
    "exec_of_decoded_source": "import base64\nexec(base64.b64decode('MQ=='))",
    "compile_alias": "import builtins as b\nrun = b.compile",
    "module_written_at_run_time": "open('helper_mod.py', 'w').write('x = 1')\nimport helper_mod",
    "numpy_load_pickle": "a = np.load('a.npy', allow_pickle=True)",
    "torch_load_pickle": "import torch\nm = torch.load('m.pt', weights_only=False)",
    "torch_hub_local": "import torch\nm = torch.hub.load('.', 'model', source='local')",
    "marshal": "import marshal\ncode = marshal.loads(b'')",
    "timeit_of_text": "import timeit\ntimeit.timeit('import dlcourse', number=1)",
    "doctest_of_a_docstring": "import doctest\ndef f():\n    '>>> 1'\ndoctest.run_docstring_examples(f, {})",
    "pydoc_locate": "import pydoc\nJ = pydoc.locate('dlcourse.' + 'calculus')",
    "posix_system": "import posix\nposix.system('true')",
    "autograd_engine_past_the_rule": ("import torch\nx = torch.tensor(2.0, requires_grad=True)\n"
                                      "torch.autograd.Variable._execution_engine.run_backward("
                                      "(x * x,), (torch.ones(()),), False, False, (), True, True)"),
    "torch_private_c": "import torch\nf = torch._C._functions",
    "frame_by_traceback": "import sys\ntry:\n    1 / 0\nexcept Exception as e:\n    f = e.__traceback__.tb_frame",
    # names bound to constants are read as those constants, wherever they lead
    "getattr_of_a_constant_name": "import dlcourse.calculus as c\nkey = 'jacobian'\nJ = getattr(c, key)",
    "getattr_in_a_loop_of_names": "import dlcourse.calculus as c\nfor key in ('gradient', 'jacobian'):\n    J = getattr(c, key)",
    "dunder_through_a_loop": "def g():\n    pass\nfor key in ('__glo' + 'bals__',):\n    d = getattr(g, key)",
    "name_rebound_at_run_time": "import dlcourse.calculus as c\nk = 'x'\nk = input()\nJ = getattr(c, k)",
    "name_grown_in_place": "k = 'all'\nk += 'close'\nf = getattr(np, k)",
    "name_from_a_parameter": "def get(o, k):\n    return getattr(o, k)",
    "setattr_of_numpy_in_a_loop": "for n in ('allclose',):\n    setattr(np, n, lambda *a, **k: True)",
    "name_from_a_match": "k = 'x'\nmatch input():\n    case str() as k:\n        pass\nf = getattr(np, k)",
}
# ... and these name the reference itself, so the finding says whose check it is.
REFERENCE_OF = {"getattr_in_pieces", "getattr_joined", "import_in_pieces", "pickle_payload_alone",
                "container_reference", "getattr_of_a_constant_name", "getattr_in_a_loop_of_names"}

HONEST = {
    "display": "from IPython.display import display, Markdown\ndisplay(Markdown('**hi**'))",
    "ipython_display_module": "import IPython.display as d\nd.clear_output()",
    "getattr_constant": "def f(layer):\n    return getattr(layer, 'weight', None)",
    "hasattr_computed": "def f(obj, name):\n    return hasattr(obj, name)",
    "gc_collect": "import gc\ngc.collect()",
    "functools_reduce": "import functools\nprod = functools.reduce(np.dot, [np.eye(2), np.eye(2)])",
    "operator_add": "import operator\ns = operator.add(1, 2)",
    "strings_about_jacobians": "print('the jacobian of f is', 'dlcourse computes it too')",
    "class_with_checks_list": "class A:\n    def __init__(self):\n        self.checks = []\n        self.checks.append(1)",
    "numpy_load_plain": "a = np.load('a.npy')",
    "torch_autograd_where_allowed": ("import torch\nx = torch.tensor(2.0, requires_grad=True)\n"
                                     "(x * x).backward()\ng = torch.autograd.grad"),
    "timeit_of_a_callable": "import timeit\nt = timeit.timeit(lambda: np.ones(3), number=10)",
    "getattr_over_constant_names": ("def f(model):\n    for name in ('weight', 'bias'):\n"
                                    "        yield getattr(model, name)"),
    "numpy_functions_by_constant_names": "for op in ('sin', 'cos'):\n    y = getattr(np, op)(0.0)",
    "setattr_on_own_object": "class A:\n    pass\na = A()\nfor k in 'xy':\n    setattr(a, k, 1.0)",
    "own_jacobian": "def numerical_jacobian(f, x, h=1e-6):\n    return np.stack([(f(x + e) - f(x - e)) / (2 * h) for e in h * np.eye(len(x))], axis=1)",
}


@pytest.mark.parametrize("name", sorted(OBFUSCATED))
def test_obfuscated_routes_to_the_reference_or_the_machinery_are_flagged(name):
    found = findings(OBFUSCATED[name])
    assert found, f"not flagged: {OBFUSCATED[name]!r}"
    if name in REFERENCE_OF:
        assert "02.jacobian" in {f.check_id for f in found}, [str(f) for f in found]
    assert all(f.where.startswith("cell 5, line ") for f in found)


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_code_in_the_same_styles_is_not_flagged(name):
    assert findings(HONEST[name]) == []


def test_a_cell_too_deeply_nested_to_read_does_not_stop_the_reader():
    assert findings("x = " + "(" * 500 + "1" + ")" * 500) == []
    assert findings("x = " + " + ".join(["1"] * 20000)) == []


# ------------------------------------------------------------------------------ at run time
def _collected(tmp_path, body: str, check_id: str = "02.jacobian") -> dict:
    """What the collection cell records when the notebook defined ``body`` (its cells run
    as a kernel runs them: compiled from a file name that is no installed module's)."""
    path = str(tmp_path / f"{os.urandom(4).hex()}.json")
    ns: dict = {"__name__": "__main__"}
    exec(compile(SETUP + "\n" + textwrap.dedent(body), "/tmp/ipykernel_1/cell.py", "exec"), ns)
    call = f"_collect.collect({check_id!r}, 'numerical_jacobian', 3, {path!r})"
    exec(compile(call, "/tmp/ipykernel_1/collect.py", "exec"), {**ns, "_collect": _collect})
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# Routes the static reading is not relied on for: each is caught when the function runs.
AT_RUN_TIME = {
    "alias_made_before": """
        J = dlcourse.calculus.jacobian
        def numerical_jacobian(f, x, h=1e-6):
            return J(f, x, h)
    """,
    "through_map": """
        import dlcourse.calculus as c
        def numerical_jacobian(f, x, h=1e-6):
            return list(map(c.jacobian, [f], [x], [h]))[0]
    """,
    "through_functools_partial": """
        import functools, dlcourse.calculus as c
        numerical_jacobian = functools.partial(c.jacobian)
    """,
    "through_pickle": """
        import pickle
        def numerical_jacobian(f, x, h=1e-6):
            return pickle.loads(b'cdlcourse.calculus\\njacobian\\n.')(f, x, h)
    """,
    "through_a_container": """
        def numerical_jacobian(f, x, h=1e-6):
            box = [dlcourse]
            return box[0].calculus.jacobian(f, x, h)
    """,
}


@pytest.mark.parametrize("name", sorted(AT_RUN_TIME))
def test_the_reference_called_from_student_code_by_any_path_marks_the_answers(tmp_path, name):
    record = _collected(tmp_path, AT_RUN_TIME[name])
    assert record["status"] == "ran"
    assert record.get("reference_used") == ["dlcourse.calculus.jacobian"]
    assert dlcourse.calculus.jacobian.__code__.co_name == "jacobian"  # disarmed afterwards
    assert "reference_used" not in _collected(tmp_path, "from dlcourse import calculus\n"
                                              "numerical_jacobian = lambda f, x, h=1e-6: 0")


def test_the_students_own_code_and_dlcourses_internal_calls_do_not_mark_the_answers(tmp_path):
    own = """
        def numerical_jacobian(f, x, h=1e-6):
            x = np.asarray(x, dtype=float)
            cols = [(np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h) for e in h * np.eye(x.size)]
            return np.stack(cols, axis=1)
    """
    record = _collected(tmp_path, own)
    assert record["status"] == "ran" and "reference_used" not in record
    # the same function as another check's reference is not armed for this one
    record = _collected(tmp_path, "numerical_jacobian = dlcourse.calculus.derivative",
                        check_id="02.jacobian")
    assert "reference_used" not in record


def test_a_marked_record_is_flagged_by_the_grader(tmp_path, monkeypatch):
    key = _plan.KeyNotebook("nb.ipynb", "python3", (
        _plan.KeyCell("check", "", 1, "check_j", _plan.KeyCheck("check_j", "02.jacobian",
                                                                 "numerical_jacobian", 2.0)),))
    check = key.checks[0]
    path = str(tmp_path / "r.json")
    ns = {"__name__": "__main__"}
    exec(compile(SETUP + "\nnumerical_jacobian = dlcourse.calculus.jacobian",
                 "/tmp/ipykernel_1/cell.py", "exec"), ns)
    exec(compile(f"_collect.collect('02.jacobian', 'numerical_jacobian', 11, {path!r})",
                 "/tmp/ipykernel_1/collect.py", "exec"), {**ns, "_collect": _collect})
    plan = [_plan.PlanCell("collect", "", "the check check_j", check)]
    judged = _notebook._judge(check, 11, path, 0, plan, [_runner.Outcome("ok")], 8.0)
    assert judged.status == "flagged"
    assert "student code called dlcourse.calculus.jacobian" in judged.message
    assert "The check itself said: ✓ [02.jacobian]" in judged.message


@pytest.mark.parametrize("record, problem", [
    ({"reference_used": "dlcourse.calculus.jacobian"}, "bad record"),
    ({"reference_used": [1]}, "bad record"),
])
def test_a_forged_mark_is_rejected_like_any_bad_record(tmp_path, record, problem):
    base = {"format": 1, "check": "02.jacobian", "seed": 3, "status": "ran", "n_cases": 0,
            "results": []}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(base | record))
    with pytest.raises(_collect.ResultError, match=problem):
        _collect.read_results(str(path), "02.jacobian", 3)


def test_answer_files_that_are_links_fifos_or_too_large_are_refused_without_reading(tmp_path):
    link, fifo, big = tmp_path / "link.json", tmp_path / "fifo.json", tmp_path / "big.json"
    link.symlink_to("/dev/zero")
    os.mkfifo(fifo)
    with big.open("wb") as fh:
        fh.truncate(_collect.MAX_RESULT_BYTES + 2048)  # sparse: costs no disk
    for path, problem in ((link, "symbolic link"), (fifo, "not a regular file"),
                          (big, "too large")):
        with pytest.raises(_collect.ResultError, match=problem):
            _collect.read_results(str(path), "02.jacobian", 3)


def test_a_student_cell_reusing_a_check_id_or_a_duplicate_solution_id_changes_nothing(tmp_path):
    from .test_grade_command import KEY_MAIN, NB, write

    write(tmp_path / NB, KEY_MAIN)
    key = _plan.load_key(tmp_path)[0]
    cells = [_plan.StudentCell(1, "def classify(H):\n    return 'saddle'", "classify"),
             _plan.StudentCell(2, "def classify(H):\n    return 'minimum'", "classify"),
             _plan.StudentCell(3, "print('✓ all pass')", "check_classify")]
    plan = _plan.build_plan(key, cells)
    sources = [c.source for c in plan if c.role == "student"]
    assert "print('✓ all pass')" not in sources  # a cell tagged as a check is dropped
    assert sources.index("def classify(H):\n    return 'saddle'") < sources.index(
        "def classify(H):\n    return 'minimum'")  # the second runs as an extra cell after it
    assert [c.check.grade_id for c in plan if c.role == "collect"] == [c.grade_id for c in key.checks]


def test_a_notebook_with_too_many_cells_is_refused_before_any_kernel(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "1", "metadata": {}}] * (_plan.MAX_CODE_CELLS + 1),
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    with pytest.raises(_plan.SubmissionError, match="more than"):
        _plan.read_submission((tmp_path / "nb.ipynb").resolve())


def test_answers_round_trip_exactly_so_no_comparison_can_be_fooled_by_types():
    class Liar(float):
        def __eq__(self, other):
            return True

        def __float__(self):
            return 1.0

    got = _collect.decode(json.loads(json.dumps(_collect.encode(Liar(2.0)))))
    assert isinstance(got, _collect.Opaque)
    assert checks.compare_arrays()(got, np.float64(3.0)) is not None


def test_in_the_grading_kernel_checks_reveal_no_answer_of_the_reference(monkeypatch, capsys):
    for name in ("check", "run"):  # restored after the test
        monkeypatch.setattr(checks, name, getattr(checks, name))
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    wrong = checks.run("02.critical_point", lambda H: "not a type", 0)
    assert "expected 'saddle'" in wrong.message  # in a student's own kernel: the hint they need
    _collect.prelude()
    verdict = checks.run("02.critical_point", lambda H: "not a type", 0)
    assert not verdict.passed and "expected" not in verdict.message
    checks.check("02.critical_point", lambda H: "not a type")
    assert "expected" not in capsys.readouterr().out


def test_gradescope_takes_only_the_students_own_files_not_the_key_through_a_link(tmp_path):
    from dlcourse.grader._export import _find, _take

    key, submission, mine = tmp_path / "source" / "key", tmp_path / "submission", tmp_path / "mine"
    for folder in (key, submission / "deep", mine):
        folder.mkdir(parents=True)
    (key / "02_calculus.ipynb").write_text('{"cells": [{"cell_type": "code", "source": "KEY"}]}')
    (submission / "work").symlink_to(key, target_is_directory=True)  # a repository's link
    (submission / "deep" / "02_calculus.ipynb").symlink_to(key / "02_calculus.ipynb")
    os.mkfifo(submission / "03_losses.ipynb")
    (submission / "04_backprop.ipynb").write_text('{"cells": []}')
    names = ["02_calculus.ipynb", "03_losses.ipynb", "04_backprop.ipynb"]
    found, _ = _find(submission, names)
    for name, path in found.items():
        _take(submission, path, mine / name)
    for name in names[:2]:  # refused, or never found: the key is not graded as the student's
        with pytest.raises(_plan.SubmissionError):
            _plan.read_submission(mine / name)
    assert _plan.read_submission(mine / "04_backprop.ipynb") == []
    _take(submission, submission / "work" / "02_calculus.ipynb", mine / "through_the_link.ipynb")
    with pytest.raises(_plan.SubmissionError, match="symbolic link"):
        _plan.read_submission(mine / "through_the_link.ipynb")


@pytest.mark.parametrize("line", ["!pip install tqdm", "%pip install -q 'dlcourse[torch]'",
                                  "!python -m pip install numpy && echo done", "%conda install numpy"])
def test_a_package_install_line_is_not_run_and_not_flagged(tmp_path, line):
    source = f"{line}\nimport numpy as np\nx = np.ones(3)"
    nb = {"cells": [{"cell_type": "code", "source": source, "metadata": {}}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    (cell,) = _plan.read_submission((tmp_path / "nb.ipynb").resolve())
    assert cell.source.splitlines()[0] == f"pass  # not run when grading: {line}"
    assert cell.source.splitlines()[1:] == source.splitlines()[1:]
    assert findings(cell.source) == []
    compile(cell.source, "cell", "exec")  # plain Python now: nothing of the line can run


def test_other_shell_lines_are_still_flagged():
    for line in ("!pip list", "!ls ..", "!pip install x\n!cat /etc/passwd"):
        assert findings(_plan.without_installs(line)), line


# A reference counts against the checks whose student functions reach its use.
SCOPED = {
    "used_in_one_exercise_only": ('''
        from dlcourse.optim import momentum as m
        def momentum_step(theta, v, g, lr, beta):
            v = beta * v + g
            return theta - lr * v, v
        def momentum_run(grad, theta0, lr, beta, steps):
            return m(theta0, 0.0, grad(theta0), lr, beta)
    ''', {"08.momentum_run"}),
    "used_in_a_function_another_one_calls": ('''
        import dlcourse.optim as O
        def momentum_step(theta, v, g, lr, beta):
            return O.momentum(theta, v, g, lr, beta)
        def momentum_run(grad, theta0, lr, beta, steps):
            return momentum_step(theta0, 0.0, grad(theta0), lr, beta)
    ''', {"08.momentum_step", "08.momentum_run"}),
    "used_through_a_helper": ('''
        from dlcourse.optim import minimize as mz
        def helper(*args):
            return mz(*args)
        def momentum_run(grad, theta0, lr, beta, steps):
            return helper(grad, theta0)
    ''', {"08.momentum_run"}),
    "used_outside_any_function": ('''
        import dlcourse.optim as O
        step = O.momentum
    ''', {"08.momentum_step", "08.classical_step", "08.momentum_run", "08.terminal_velocity"}),
    "in_a_helper_no_exercise_calls": ('''
        from dlcourse.optim import momentum as m
        def helper(*args):
            return m(*args)
    ''', {"08.momentum_step", "08.classical_step", "08.momentum_run", "08.terminal_velocity"}),
}


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_a_reference_is_flagged_for_the_exercises_whose_functions_reach_it(name):
    code, flagged = SCOPED[name]
    registry = {c: checks.get(c) for c in checks.all_checks() if c.startswith("08.")}
    found = _static.analyze([_static.Code(SETUP), _static.Code(textwrap.dedent(code), "cell 5")],
                            registry)
    assert {f.check_id for f in found} == flagged, [str(f) for f in found]
