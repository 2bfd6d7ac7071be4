"""Results as plain data: run a student's function in the kernel, read the answers in the grader.

The grader never trusts the kernel to judge an answer. A *collection cell*, which the
grader appends after the student's code, calls :func:`collect`: it regenerates a check's
cases from a seed that the grader drew at grading time, runs the student's function on
each, and writes what came back as JSON — numbers, strings and array buffers, nothing
that could run code when read. The grader then :func:`decode`\\ s the file with strict
validation and judges the answers in its own process (see ``grader.py``).

While the student's function runs, the check's reference and ``reference_names`` (plain
functions) are *armed* (:func:`_arm`): called from student code by whatever path the static
reading could not follow, they say so in the record, and the grader flags the check.
This runs in the student's kernel, so it raises the bar rather than proving anything.

Anything the encoder does not know becomes an :class:`Opaque` value that keeps the
answer's ``repr`` (and, when the object converts to a numeric array, that array): a
comparison then says what the student returned, and an overloaded ``__eq__`` has nothing
to act on.
"""

from __future__ import annotations

import base64
import json
import math
import os
import stat
import sys
import types
import warnings
from typing import Any

__all__ = ["collect", "encode", "decode", "Opaque", "Raised", "ResultError", "MAX_RESULT_BYTES"]

FORMAT = 1
MAX_RESULT_BYTES = 64 * 2**20  # the largest result file the grader reads
MAX_DEPTH = 16
MAX_ITEMS = 100_000
MAX_TEXT = 100_000
NUMERIC_KINDS = "biufc"


class ResultError(ValueError):
    """A result file that is not what :func:`collect` writes."""


# ============================================================================ kernel side
def _safe_repr(value: Any, limit: int = 300) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a student's __repr__ may raise anything
        text = f"<{type(value).__name__} object>"
    if not isinstance(text, str):
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _array(arr: Any) -> dict[str, Any]:
    import numpy as np

    arr = np.asarray(arr, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
    data = base64.b64encode(arr.tobytes()).decode()
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": data}


def _as_numeric_array(value: Any) -> Any:
    """``value`` as a numeric numpy array, or None when it does not convert to one."""
    import numpy as np

    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in NUMERIC_KINDS:
            arr = arr.astype(np.float64)
    except BaseException:  # noqa: BLE001 - conversion runs the student's code
        return None
    return arr if arr.dtype.kind in NUMERIC_KINDS else None


def _opaque(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"t": "opaque", "type": type(value).__name__, "repr": _safe_repr(value)}
    arr = _as_numeric_array(value)
    if arr is not None:
        out["array"] = _array(arr)
    return out


def _torch_tensor(value: Any) -> dict[str, Any] | None:
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor):
        return None
    t = value.detach().to("cpu")  # a tensor on a GPU is judged like one on the CPU
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.to(torch.float32)
    dtype = str(t.dtype).removeprefix("torch.")
    return {"t": "torch", "dtype": dtype, **_array(t.resolve_conj().numpy())}


def encode(value: Any, depth: int = 0) -> dict[str, Any]:
    """``value`` as plain JSON data; exact types only, so subclasses cannot smuggle behaviour."""
    import numpy as np

    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": value}
    if kind is int:
        try:
            return {"t": "int", "v": str(value)}
        except ValueError:  # more digits than Python prints
            return _opaque(value)
    if kind is float:
        return {"t": "float", "v": value.hex()}
    if kind is complex:
        return {"t": "complex", "re": value.real.hex(), "im": value.imag.hex()}
    if kind is str:
        return {"t": "str", "v": value} if len(value) <= MAX_TEXT else _opaque(value)
    if isinstance(value, np.ndarray):
        arr = value.view(np.ndarray)  # the data, without a subclass's methods
        if arr.dtype.kind in NUMERIC_KINDS:
            return {"t": "ndarray", **_array(arr)}
        return _opaque(value)
    if isinstance(value, np.generic) and np.asarray(value).dtype.kind in NUMERIC_KINDS:
        return {"t": "npscalar", **_array(np.asarray(value))}
    tensor = _torch_tensor(value)
    if tensor is not None:
        return tensor
    small = kind in (list, tuple, dict) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS
    if kind in (list, tuple) and small:
        return {"t": kind.__name__, "items": [encode(v, depth + 1) for v in value]}
    if kind is dict and small and all(type(k) is str for k in value):
        return {"t": "dict", "items": [[k, encode(v, depth + 1)] for k, v in value.items()]}
    return _opaque(value)


def _raised(exc: BaseException) -> dict[str, Any]:
    name = type(exc).__name__
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a student's exception may fail to print
        message = _safe_repr(exc)
    return {
        "t": "raised",
        "type": name if name.isidentifier() else "Exception",
        "message": message[:MAX_TEXT],
        "not_implemented": isinstance(exc, NotImplementedError),
    }


def prelude() -> None:
    """What the grader's first cell does in the kernel, before any student code.

    * ``dlcourse.checks.check`` and ``run`` tell nothing: the messages of a check name the
      reference's answer on the first case that fails, and the chapter's fixed cases are
      the same for every seed, so a notebook could read off the answers by calling the
      check with wrong functions, and return them. ``check`` prints a note and ``run``
      returns a failed verdict without running anything.
    * the working folder leaves ``sys.path``: a module the notebook writes there under an
      installed module's name (``calendar.py``) would otherwise be imported by a plain
      ``import calendar``, its code out of the static reading's sight.
    """
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != cwd]
    from dlcourse import checks

    note = "dlcourse.checks does not run in the grader's kernel: the grader checks your answers"

    def check(check_id: Any = "", *args: Any, **kwargs: Any) -> None:
        print(f"({note})")

    def run(check_id: Any = "", *args: Any, **kwargs: Any) -> Any:
        return checks.Verdict(str(check_id), False, 0, note)

    checks.check, checks.run = check, run


PRELUDE_SOURCE = '__import__("dlcourse.grader._collect", fromlist=["prelude"]).prelude()'


# --------------------------------------------------------------- the reference, armed
_CALLERS: list[str] = []  # the armed functions that student code called during a collection
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    _FORWARD = compile('def _f(*args, **kwargs):\n    return "CALL"(args, kwargs)\n',
                       "<dlcourse>", "exec").co_consts[0]


def _trusted_roots() -> tuple[str, ...]:
    """(dlcourse's folder, its grading folders, the installed code's folders)."""
    import dlcourse

    package = os.path.dirname(os.path.realpath(dlcourse.__file__))
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.__file__))}
    roots |= {os.path.realpath(r) for r in roots}
    return (package + os.sep, os.path.join(package, "checks") + os.sep,
            os.path.join(package, "grader") + os.sep,
            *(r.rstrip(os.sep) + os.sep for r in sorted(roots)))


def _caller_kind(filename: str, roots: tuple[str, ...]) -> str:
    """``"library"`` (dlcourse's own code, but for its checks and grader), ``"other"`` (those,
    and any installed module) or ``"student"`` (a notebook cell, a string run with exec, a
    file the notebook wrote)."""
    real = os.path.realpath(filename)
    if real.startswith(roots[0]) and not real.startswith(roots[1:3]):
        return "library"
    if filename.startswith("<frozen ") or real.startswith(roots[1:]):
        return "other"
    return "student"


def _arm(functions: list[Any]) -> list[tuple[Any, Any]]:
    """Make each function record in :data:`_CALLERS` when student code calls it, directly or
    through installed code (``functools.reduce``, ``numpy.vectorize`` …), or when it *is*
    the student's function (``functools.partial(reference)``), but not when the rest of
    dlcourse calls it (``hessian`` calling ``jacobian``). The function object itself changes (its ``__code__``), so
    every way of reaching it — an alias, ``operator.attrgetter``, ``pickle``, the object
    graph — reaches the armed one. Returns what :func:`_disarm` restores."""
    roots = _trusted_roots()
    armed = []
    for fn in functions:
        original = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__)
        original.__kwdefaults__ = fn.__kwdefaults__
        qualified = f"{fn.__module__}.{fn.__qualname__}"

        def call(args: tuple[Any, ...], kwargs: dict[str, Any], original: Any = original,
                 qualified: str = qualified) -> Any:
            frame = sys._getframe(2)  # 0: here, 1: the armed function
            while True:  # the nearest caller that is not installed code or the check's harness
                kind = "student" if frame is None or frame.f_code is collect.__code__ else (
                    _caller_kind(frame.f_code.co_filename, roots))
                if kind != "other":  # reaching collect: the "function" is the reference itself
                    if kind == "student":
                        _CALLERS.append(qualified)
                    break
                frame = frame.f_back
            return original(*args, **kwargs)

        code = fn.__code__
        consts = tuple(call if c == "CALL" else c for c in _FORWARD.co_consts)
        fn.__code__ = _FORWARD.replace(co_consts=consts, co_name=code.co_name,
                                       co_qualname=code.co_qualname,
                                       co_filename=code.co_filename,
                                       co_firstlineno=code.co_firstlineno)
        armed.append((fn, code))
    return armed


def _disarm(armed: list[tuple[Any, Any]]) -> None:
    for fn, code in armed:
        fn.__code__ = code


def _armable(chk: Any) -> list[Any]:
    """The check's reference and ``reference_names`` that can be armed: plain functions
    without a closure, of modules already loaded."""
    found = [chk.reference]
    for dotted in chk.reference_names:
        module, _, attr = dotted.rpartition(".")
        found.append(getattr(sys.modules.get(module), attr, None))
    unique = {id(f): f for f in found
              if isinstance(f, types.FunctionType) and f.__closure__ is None}
    return list(unique.values())


def collect(check_id: str, name: str, seed: int, path: str) -> None:
    """Run the caller's ``name`` on the cases of ``check_id`` from ``seed``; write JSON to ``path``.

    Called by the grader's collection cell; the function is looked up in the namespace of
    the calling cell (the notebook's), so a student's own variable names cannot shadow it.
    Each answer is what :meth:`Check.apply` returns (the function's result, or what the
    check's harness measures of it); the first exception ends the run, as in
    :func:`dlcourse.checks.run`.
    """
    import numpy as np

    namespace = sys._getframe(1).f_globals
    record: dict[str, Any] = {"format": FORMAT, "check": check_id, "seed": seed}
    fn = namespace.get(name, collect)  # ``collect`` marks "not defined"
    if fn is collect:
        record["status"] = "undefined"
    elif not callable(fn):
        record.update(status="not_callable", repr=_safe_repr(fn))
    else:
        from dlcourse import checks

        chk = checks.get(check_id)
        cases = list(chk.cases(np.random.default_rng(seed)))
        results: list[dict[str, Any]] = []
        _CALLERS.clear()
        armed = _arm(_armable(chk))
        try:
            for case in cases:
                try:
                    got = chk.apply(fn, case)
                except KeyboardInterrupt:  # the grader's interrupt at the time limit
                    raise
                except BaseException as exc:  # noqa: BLE001 - even SystemExit is its answer
                    results.append(_raised(exc))
                    break
                results.append(encode(got))
        finally:
            _disarm(armed)
        record.update(status="ran", n_cases=len(cases), results=results)
        if _CALLERS:
            record["reference_used"] = sorted(set(_CALLERS))[:10]
    text = json.dumps(record, allow_nan=False)
    if len(text) > MAX_RESULT_BYTES:
        record.pop("results", None)
        record["status"] = "too_large"
        text = json.dumps(record)
    part = path + ".part"
    with open(part, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(part, path)


# ============================================================================ grader side
class Opaque:
    """An answer the grader keeps only as its type name, ``repr`` and (maybe) numeric array."""

    def __init__(self, type_name: str, text: str, array: Any = None) -> None:
        self.type_name, self.text, self.array = type_name, text, array

    def __repr__(self) -> str:
        return self.text

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if self.array is None:
            raise TypeError(f"a {self.type_name} is not a number or an array")
        return self.array if dtype is None else self.array.astype(dtype)


class Raised:
    """An exception the student's function raised, by name and message."""

    def __init__(self, type_name: str, message: str, not_implemented: bool) -> None:
        self.type_name, self.message, self.not_implemented = type_name, message, not_implemented

    def exception(self) -> Exception:
        """An exception that prints like the student's (``TypeName: message``)."""
        if self.not_implemented:
            return NotImplementedError(self.message)
        cls = type(self.type_name, (Exception,), {"__module__": "builtins"})
        return cls(self.message)


def _need(cond: bool, what: str) -> None:
    if not cond:
        raise ResultError(what)


def _decode_array(node: dict[str, Any]) -> Any:
    import numpy as np

    dtype_text, shape, data = node.get("dtype"), node.get("shape"), node.get("data")
    _need(isinstance(dtype_text, str) and len(dtype_text) <= 8, "bad dtype")
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        raise ResultError(f"unknown dtype {dtype_text!r}") from None
    numeric = dtype.kind in NUMERIC_KINDS and not dtype.hasobject
    _need(numeric, f"dtype {dtype_text!r} is not numeric")
    _need(isinstance(shape, list) and len(shape) <= 32, "bad shape")
    _need(all(type(n) is int and n >= 0 for n in shape), "bad shape")
    _need(isinstance(data, str), "bad array data")
    raw = base64.b64decode(data, validate=True)
    _need(len(raw) == math.prod(shape) * dtype.itemsize, "array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _float(text: Any) -> float:
    _need(isinstance(text, str) and len(text) <= 40, "bad float")
    try:
        return float.fromhex(text)
    except ValueError:
        raise ResultError(f"bad float {text!r}") from None


def decode(node: Any, depth: int = 0) -> Any:
    """The Python value of one encoded answer; :class:`ResultError` on anything unexpected."""
    import numpy as np

    _need(isinstance(node, dict) and depth <= MAX_DEPTH + 1, "bad value")
    t = node.get("t")
    if t == "none":
        return None
    if t == "bool":
        _need(type(node.get("v")) is bool, "bad bool")
        return node["v"]
    if t == "int":
        _need(isinstance(node.get("v"), str) and len(node["v"]) <= 5000, "bad int")
        try:
            return int(node["v"])
        except ValueError:
            raise ResultError("bad int") from None
    if t == "float":
        return _float(node.get("v"))
    if t == "complex":
        return complex(_float(node.get("re")), _float(node.get("im")))
    if t == "str":
        _need(isinstance(node.get("v"), str), "bad str")
        return node["v"]
    if t == "ndarray":
        return _decode_array(node)
    if t == "npscalar":
        return _decode_array(node)[()]
    if t == "torch":
        arr = _decode_array(node)
        try:
            import torch
        except ImportError:  # pragma: no cover - the grader has torch where students do
            return arr
        return torch.from_numpy(arr)
    if t in ("list", "tuple"):
        items = node.get("items")
        _need(isinstance(items, list), "bad sequence")
        values = [decode(v, depth + 1) for v in items]
        return values if t == "list" else tuple(values)
    if t == "dict":
        items = node.get("items")
        _need(isinstance(items, list), "bad dict")
        pairs = all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in items)
        _need(pairs, "bad dict")
        return {k: decode(v, depth + 1) for k, v in items}
    if t == "opaque":
        type_name, text = node.get("type"), node.get("repr")
        _need(isinstance(type_name, str) and isinstance(text, str), "bad opaque value")
        array = _decode_array(node["array"]) if "array" in node else None
        return Opaque(type_name[:100], text[:1000], array)
    if t == "raised":
        type_name, message = node.get("type"), node.get("message")
        _need(isinstance(type_name, str) and type_name.isidentifier(), "bad exception name")
        flag = node.get("not_implemented")
        _need(isinstance(message, str) and type(flag) is bool, "bad exception")
        return Raised(type_name[:100], message[:MAX_TEXT], node["not_implemented"])
    raise ResultError(f"unknown value type {t!r}")


def _read_plain_file(path: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, if it has at most ``limit`` of them.

    The kernel can write its ``results/`` folder, and so put anything at ``path``: a
    symbolic link (to ``/dev/zero``, or to a file of the grader's that it cannot read), a
    FIFO that never answers, a file that grows while it is read. The link is not followed
    (``O_NOFOLLOW``), the open never blocks (``O_NONBLOCK``), anything but a regular file is
    refused, and no more than ``limit`` bytes are ever read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise ResultError("the result file is a symbolic link") from None
        if isinstance(exc, FileNotFoundError):
            raise
        raise ResultError(f"the result file cannot be opened ({exc.strerror})") from None
    try:
        _need(stat.S_ISREG(os.fstat(fd).st_mode), "the result file is not a regular file")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            _need(size <= limit, "the result file is too large")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_results(path: str, check_id: str, seed: int) -> dict[str, Any]:
    """The record :func:`collect` wrote for this check and seed, with its answers decoded.

    Returns ``{"status": "undefined" | "not_callable" | "too_large" | "ran", ...}``; with
    ``"ran"``, ``"n_cases"`` and ``"answers"`` (values, :class:`Opaque` or :class:`Raised`).
    """
    try:
        record = json.loads(_read_plain_file(path, MAX_RESULT_BYTES + 1024))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultError(f"not JSON ({exc})") from None
    _need(isinstance(record, dict) and record.get("format") == FORMAT, "unknown format")
    ours = record.get("check") == check_id and record.get("seed") == seed
    _need(ours, "results of another check")
    status = record.get("status")
    if status == "not_callable":
        _need(isinstance(record.get("repr"), str), "bad record")
        return {"status": status, "repr": record["repr"][:1000]}
    if status in ("undefined", "too_large"):
        return {"status": status}
    _need(status == "ran", f"unknown status {status!r}")
    n_cases, results = record.get("n_cases"), record.get("results")
    _need(type(n_cases) is int and isinstance(results, list), "bad record")
    _need(len(results) <= n_cases, "more answers than cases")
    answers = [decode(r) for r in results]
    complete = len(answers) == n_cases or (answers and isinstance(answers[-1], Raised))
    _need(bool(complete), "fewer answers than cases")
    used = record.get("reference_used", [])
    _need(isinstance(used, list) and all(isinstance(u, str) for u in used), "bad record")
    return {"status": status, "n_cases": n_cases, "answers": answers,
            "reference_used": [u[:200] for u in used[:10]]}
