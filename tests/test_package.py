"""The package itself: a light import, the device helper, seeding."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import dlcourse


def test_import_dlcourse_loads_neither_torch_nor_matplotlib():
    code = "import sys, dlcourse; print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_students_kit_imports_neither_torch_nor_the_grader():
    code = ("import sys, dlcourse.kit, dlcourse._extras, dlcourse.__main__; print(sorted(m for m in "
            "('torch', 'matplotlib', 'ipywidgets', 'nbclient', 'dlcourse.grader') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_lists_the_students_commands():
    out = subprocess.run([sys.executable, "-m", "dlcourse", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("exercises", "check", "release", "grade"):
        assert command in out.stdout


def test_device_is_cuda_then_mps_then_cpu():
    torch = pytest.importorskip("torch")
    dev = dlcourse.device()
    assert isinstance(dev, torch.device)
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert dev.type == expected
    assert torch.ones(2, device=dev).sum().item() == 2.0


def test_seed_everything_makes_numpy_and_torch_repeat():
    torch = pytest.importorskip("torch")
    dlcourse.seed_everything(3)
    a = (np.random.rand(3), torch.rand(3))
    dlcourse.seed_everything(3)
    b = (np.random.rand(3), torch.rand(3))
    np.testing.assert_array_equal(a[0], b[0])
    assert torch.equal(a[1], b[1])
    dlcourse.seed_everything(4)
    assert not np.array_equal(np.random.rand(3), a[0])


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_refuses_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative int"):
        dlcourse.seed_everything(seed)


def test_cli_release_check_reports_stale(tmp_path):
    sol = tmp_path / "solutions"
    sol.mkdir()
    (sol / "01_x.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    run = lambda *a: subprocess.run([sys.executable, "-m", "dlcourse", "release", *a, "--solutions", str(sol),
                                     "--exercises", str(tmp_path / "ex")], capture_output=True, text=True)
    first = run("--check")
    assert first.returncode == 1 and "01_x.ipynb: missing" in first.stderr
    assert run().returncode == 0
    assert run("--check").returncode == 0
