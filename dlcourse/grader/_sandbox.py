"""Isolating a student's kernel with bubblewrap, so that it can change nothing but its grade.

Each kernel runs under ``bwrap`` (Linux; Debian package ``bubblewrap``) in namespaces of
its own, with every capability dropped:

* **files**: a root made of read-only binds of the system (``/usr``, ``/etc`` without its
  secrets — :data:`SECRET_FILES`, :data:`SECRET_DIRS` — and the ``/bin``, ``/lib`` … links), of the Python environment (the venv and the interpreter's
  real prefix it links to) and of the ``dlcourse`` package folder — nothing else of the
  disk: not the submissions, the key, the output folder, the grader's files or the real
  HOME. Writable, and size-capped: the kernel's working folder, a private ``/tmp`` and a
  private ``HOME`` and ``/dev/shm`` (tmpfs, gone with the kernel; ``/dev`` itself is
  read-only); and the two folders of this notebook's
  scratch space that the grader reads back: ``kernel/`` (connection file and IPC sockets)
  and ``results/`` (the answers).
* **network**: a network namespace of its own, with only a loopback that nobody listens
  on; the kernel talks to the grader over Unix sockets in ``kernel/`` (ZeroMQ's ``ipc``
  transport), which cross the namespace.
* **processes**: a PID namespace of its own (it sees no other process, can signal none of
  the grader's) and a new session; ``--die-with-parent`` ends it with its worker, and when
  the kernel ends, everything it started ends too.
* **capabilities**: ``--cap-drop ALL``. Without it a root kernel keeps CAP_SYS_ADMIN in
  its namespaces and can remount the library read-write (a test shows it).
* **environment**: only the variables of :data:`KEEP_ENV` (locale, thread counts, CUDA
  device selection …) pass; secrets in the instructor's environment do not.

A GPU, when present, is passed through: the NVIDIA device nodes (``/dev/nvidia*``,
``/dev/nvidia-caps/*``, ``/dev/dri/*``) are bound with ``--dev-bind`` and ``/sys`` is
bound read-only for the driver's topology queries.

Interrupts travel as Jupyter control messages (``interrupt_mode = "message"``): a SIGINT
to the sandbox's process group would end ``bwrap`` itself.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import dlcourse

__all__ = ["Sandbox", "choose", "private_env", "BWRAP_HINT", "SandboxUnavailable"]

Kind = Literal["bwrap", "none"]

SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# What of /etc a kernel never needs and must not read (a grader run as root could):
# password hashes, host keys, private TLS keys, sudo rules. Hidden behind empty stand-ins.
SECRET_FILES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers")
SECRET_DIRS = ("/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d")
GPU_GLOBS = ("/dev/nvidia*", "/dev/nvidia-caps/*", "/dev/dri/*")
HOME = "/home/student"
TMP_BYTES = 512 * 2**20  # each of /tmp, HOME and the working folder
KEEP_ENV = ("LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED", "MPLBACKEND",
            "PYDEVD_DISABLE_FILE_VALIDATION", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
KEEP_PREFIXES = ("LC_", "OMP_", "MKL_", "OPENBLAS_", "KMP_", "CUDA_", "NVIDIA_", "CUBLAS_")
BWRAP_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: "
              "`dnf install bubblewrap`), or grade with `--sandbox none` (not isolated)")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot isolate kernels on this machine; the message says why."""


def _python_dirs() -> list[str]:
    """The folders a kernel's Python needs: the environment, the interpreter, dlcourse."""
    dirs = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
            str(Path(os.path.realpath(sys.executable)).parent.parent),
            str(Path(dlcourse.__file__).resolve().parent)}
    return sorted(d for d in dirs if os.path.isdir(d))


def gpu_devices() -> list[str]:
    """The NVIDIA (and DRI) device nodes of this machine; empty without a GPU."""
    return sorted({p for pattern in GPU_GLOBS for p in glob.glob(pattern)
                   if not os.path.isdir(p)})


def private_env(env: dict[str, str], home: str) -> dict[str, str]:
    """What a kernel's environment keeps of ``env``: no secrets, no start-up files of ours.

    HOME, the IPython folder and the user site-packages are private, so start-up files or
    ``.pth`` files that one submission leaves in a HOME never reach another kernel.
    """
    kept = {k: v for k, v in env.items() if k in KEEP_ENV or k.startswith(KEEP_PREFIXES)}
    bindir = str(Path(sys.executable).parent)
    kept.update(HOME=home, IPYTHONDIR=f"{home}/.ipython", MPLCONFIGDIR=f"{home}/.matplotlib",
                PYTHONNOUSERSITE="1", PATH=os.pathsep.join((bindir, "/usr/local/bin", "/usr/bin",
                                                            "/bin")))
    return kept


@dataclass(frozen=True)
class Sandbox:
    """How the kernels of a grading run are isolated: ``bwrap``, or ``none`` (with why)."""

    kind: Kind
    bwrap: str = ""
    why_not: str = ""

    @property
    def isolated(self) -> bool:
        return self.kind == "bwrap"

    def home(self, scratch: Path) -> str:
        """The kernel's HOME: private in the sandbox, a scratch folder without it."""
        return HOME if self.isolated else str(scratch / "home")

    def wrap(self, command: Sequence[str], scratch: Path, env: dict[str, str]) -> list[str]:
        """``command`` (the kernel's) run inside the sandbox, with ``env`` as its environment.

        ``scratch`` holds ``cwd/`` (the working folder: a tmpfs over it inside),
        ``kernel/`` and ``results/`` (bound read-write: the grader reads them).
        """
        if not self.isolated:
            return list(command)
        args = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
                "--cap-drop", "ALL", "--clearenv"]
        for name, value in sorted(env.items()):
            args += ["--setenv", name, value]
        for d in SYSTEM_DIRS:
            if os.path.islink(d):
                args += ["--symlink", os.readlink(d), d]
            elif os.path.isdir(d):
                args += ["--ro-bind", d, d]
        args += [arg for f in SECRET_FILES if os.path.isfile(f)
                 for arg in ("--ro-bind", "/dev/null", f)]
        args += [arg for d in SECRET_DIRS if os.path.isdir(d)
                 for arg in ("--tmpfs", d, "--remount-ro", d)]
        args += ["--proc", "/proc", "--dev", "/dev"]
        devices = gpu_devices()
        for dev in devices:
            args += ["--dev-bind", dev, dev]
        if devices and os.path.isdir("/sys"):
            args += ["--ro-bind", "/sys", "/sys"]
        size = ["--size", str(TMP_BYTES)]
        # bwrap's /dev is a tmpfs as large as half the machine's memory: read-only, with a
        # capped /dev/shm, it cannot hold a file the memory cap does not see
        args += ["--remount-ro", "/dev", *size, "--tmpfs", "/dev/shm"]
        args += [*size, "--tmpfs", "/tmp", *size, "--tmpfs", HOME]
        for d in _python_dirs():  # after the tmpfs: an environment may live under /tmp
            args += ["--ro-bind", d, d]
        cwd = str(scratch / "cwd")
        args += [*size, "--tmpfs", cwd]
        for sub in ("kernel", "results"):
            args += ["--bind", str(scratch / sub), str(scratch / sub)]
        args += ["--chdir", cwd, "--", *command]
        return args


def _probe(bwrap: str) -> str:
    """Why bwrap cannot run a Python here, or "" when it can."""
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    trial = Sandbox("bwrap", bwrap)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dlcourse-probe-", dir=scratch) as tmp:
        for sub in ("cwd", "kernel", "results"):
            (Path(tmp) / sub).mkdir()
        env = private_env(dict(os.environ), HOME)
        probe = "import dlcourse; print('ok')"
        cmd = trial.wrap([sys.executable, "-c", probe], Path(tmp), env)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap did not run ({exc})"
    if done.returncode != 0 or done.stdout.strip() != "ok":
        err = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap failed here ({err}); user namespaces may be disabled"
    return ""


def choose(mode: str) -> Sandbox:
    """The sandbox for ``--sandbox MODE``: ``bwrap`` (or :class:`SandboxUnavailable`),
    ``none``, or ``auto`` (bwrap when it works here, else ``none`` with the reason)."""
    if mode not in ("auto", "bwrap", "none"):
        raise ValueError(f"--sandbox takes auto, bwrap or none; got {mode!r}")
    if mode == "none":
        return Sandbox("none", why_not="--sandbox none was given")
    if not sys.platform.startswith("linux"):
        why = f"bubblewrap needs Linux; this is {sys.platform}"
    elif (bwrap := shutil.which("bwrap")) is None:
        why = f"bwrap is not installed: {BWRAP_HINT}"
    else:
        why = _probe(bwrap)
        if not why:
            return Sandbox("bwrap", bwrap)
    if mode == "bwrap":
        raise SandboxUnavailable(why)
    return Sandbox("none", why_not=why)
