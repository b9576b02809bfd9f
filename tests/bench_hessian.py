"""Benchmark for mlnote_utils.hessian (not collected by pytest: the file name does not start with test_).

Run:  .venv/bin/python tests/bench_hessian.py [--pyhessian-path /tmp/pyh] [--threads 1]

1. Exact Hessian of 1-H-1 tanh nets (64 points, float64): torch.func (``mu.hessian.model_hessian``) against a naive
   double-backward loop (recomputes the gradient graph for every row) and the graph-reusing loop
   (``mu.hessian.hessian_matrix_loop``).
2. Top eigenvalue (and trace) of a 40-300-300-10 MLP on MNIST-1D (105,610 parameters): ``mu.hessian.top_eigenvalues``
   (Lanczos) against PyHessian 0.1 (power iteration) on the same model and batch. PyHessian is NOT a course
   dependency: install it into a throwaway folder, e.g. ``pip install --target /tmp/pyh pyhessian==0.1 --no-deps``.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
from torch import nn

import mlnote_utils as mu


def best_time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_loop_hessian(f, x: torch.Tensor) -> torch.Tensor:
    """The naive method: for every row, rebuild the gradient graph and differentiate one entry."""
    rows = []
    for i in range(x.numel()):
        xi = x.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(xi), xi, create_graph=True)
        rows.append(torch.autograd.grad(g[i], xi)[0])
    return torch.stack(rows)


def bench_exact(widths=(32, 160, 320, 640)) -> None:
    x = torch.linspace(-2, 2, 64, dtype=torch.float64)[:, None]
    y = torch.sin(2 * x)
    print("exact Hessian, 1-H-1 tanh net, 64 points, float64 (best of 3, ms)")
    print("    P | naive loop | loop (graph reused) | torch.func | speed-up vs naive | vs reused loop")
    for w in widths:
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(1, w), nn.Tanh(), nn.Linear(w, 1)).double()
        f, th = mu.hessian.loss_function_of_params(net, nn.MSELoss(), (x, y))
        H = mu.hessian.model_hessian(net, nn.MSELoss(), (x, y))
        torch.testing.assert_close(H, mu.hessian.hessian_matrix_loop(f, th))
        rep = 1 if th.numel() > 1000 else 3
        t_naive = best_time(lambda f=f, th=th: naive_loop_hessian(f, th), rep)
        t_loop = best_time(lambda f=f, th=th: mu.hessian.hessian_matrix_loop(f, th), rep)
        t_func = best_time(
            lambda net=net: mu.hessian.model_hessian(net, nn.MSELoss(), (x, y), method="func"), rep
        )
        print(
            f"{th.numel():5d} | {t_naive * 1e3:10.1f} | {t_loop * 1e3:19.1f} | {t_func * 1e3:10.1f} |"
            f" x{t_naive / t_func:16.2f} | x{t_loop / t_func:.2f}"
        )


def bench_pyhessian(path: str | None) -> None:
    if path:
        sys.path.insert(0, path)
    try:
        from pyhessian import hessian as PyHessian
    except ImportError:
        print("PyHessian not importable: skipped (pip install --target /tmp/pyh pyhessian==0.1 --no-deps)")
        return
    data = mu.load_mnist1d()
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(40, 300), nn.ReLU(), nn.Linear(300, 300), nn.ReLU(), nn.Linear(300, 10))
    opt = torch.optim.Adam(mlp.parameters(), lr=1e-3)
    loader = mu.make_loader(data.train(), batch_size=128, seed=0)
    mu.fit(mlp, opt, loader, loss_fn=nn.CrossEntropyLoss(), epochs=3, progress=False)
    mlp.eval()
    ce = nn.CrossEntropyLoss()
    batch = (data.x_train[:1000], data.y_train[:1000])
    n = sum(p.numel() for p in mlp.parameters())
    print(
        f"\nMLP 40-300-300-10 on MNIST-1D, {n} parameters, batch of 1000, eval mode, CPU, {torch.get_num_threads()} thread(s)"
    )
    ref = mu.hessian.top_eigenvalues(mlp, ce, batch, k=3, tol=1e-7, max_iter=300)
    print(
        f"reference (Lanczos, tol 1e-7, {ref.n_hvp} HVPs): {[round(v, 4) for v in ref.eigenvalues.tolist()]}"
    )
    for k in (1, 3):
        t0 = time.perf_counter()
        ph = PyHessian(mlp, ce, data=batch, cuda=False)
        ph_vals, _ = ph.eigenvalues(maxIter=100, tol=1e-3, top_n=k)
        t_ph = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = mu.hessian.top_eigenvalues(mlp, ce, batch, k=k, tol=1e-3, max_iter=100)
        t_ours = time.perf_counter() - t0
        print(f"top-{k}: PyHessian {[round(v, 4) for v in ph_vals]} in {t_ph:.2f} s")
        print(
            f"       mu.hessian.top_eigenvalues {[round(v, 4) for v in ours.eigenvalues.tolist()]} in {t_ours:.2f} s"
            f" ({ours.n_hvp} HVPs), time ratio PyHessian/ours = {t_ph / t_ours:.2f}"
        )
        rel = abs(ph_vals[0] - float(ours.eigenvalues[0])) / abs(ph_vals[0])
        top = float(ref.eigenvalues[0])
        print(
            f"       relative difference of the top eigenvalue: {rel:.1e}; error vs reference:"
            f" PyHessian {abs(ph_vals[0] - top) / top:.1e}, ours {abs(float(ours.eigenvalues[0]) - top) / top:.1e}"
        )
    t0 = time.perf_counter()  # accuracy-matched: how long PyHessian needs to reach our top-1 accuracy
    ph_vals, _ = PyHessian(mlp, ce, data=batch, cuda=False).eigenvalues(maxIter=1000, tol=1e-6, top_n=1)
    t_ph = time.perf_counter() - t0
    err = abs(ph_vals[0] - float(ref.eigenvalues[0])) / float(ref.eigenvalues[0])
    print(f"top-1, PyHessian with tol 1e-6: {ph_vals[0]:.4f} (error vs reference {err:.1e}) in {t_ph:.2f} s")
    t0 = time.perf_counter()
    ph_trace = PyHessian(mlp, ce, data=batch, cuda=False).trace(maxIter=100, tol=1e-3)
    t_ph = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = mu.hessian.hessian_trace(mlp, ce, batch, n_samples=len(ph_trace), seed=0)
    t_ours = time.perf_counter() - t0
    ph_mean = sum(ph_trace) / len(ph_trace)
    print(
        f"trace: PyHessian {ph_mean:.2f} ({len(ph_trace)} probes, {t_ph:.2f} s); "
        f"ours {ours.mean:.2f} ± {ours.stderr:.2f} ({t_ours:.2f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyhessian-path", default="/tmp/pyh")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-exact", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.skip_exact:
        bench_exact()
    bench_pyhessian(args.pyhessian_path)
