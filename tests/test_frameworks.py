"""Chapter 1's claims: the hand-derived gradients of the w1/w2 example equal autograd's."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("seed", range(5))
def test_two_path_gradient_of_w1_matches_autograd(seed):
    g = torch.Generator().manual_seed(seed)
    w1 = torch.rand(5, 5, dtype=torch.float64, generator=g).requires_grad_()
    w2 = torch.rand(5, 5, dtype=torch.float64, generator=g).requires_grad_()
    x0 = torch.randn(5, dtype=torch.float64, generator=g)
    x1 = w1 @ x0
    x2 = x0 + w2 @ x1
    x3 = w1 @ (x1 + x2)
    x3.norm().backward()
    with torch.no_grad():
        u, s, eye = x3 / x3.norm(), x1 + x2, torch.eye(5, dtype=torch.float64)
        dW1 = torch.outer(u, s) + torch.outer((eye + w2).T @ w1.T @ u, x0)
        dW2 = torch.outer(w1.T @ u, x1)
        direct_only = torch.outer(u, s)
    torch.testing.assert_close(w1.grad, dW1, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(w2.grad, dW2, rtol=1e-12, atol=1e-12)
    assert (w1.grad - direct_only).abs().max() > 1e-3  # the second path matters
