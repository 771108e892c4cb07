"""PyTorch CPU reference for `pnpm bench` in packages/backend-onnxruntime.

A sparsify-style Top-K SAE training step, written as a PyTorch user would on a CPU:
dense encoder GEMM (addmm), top-k, sparse decode (embedding_bag with per-sample weights),
a sparse backward (the encoder gradient reaches only the k selected latents: their
pre-activations are re-gathered with autograd instead of back-propagating a dense [B, m]
gradient through a second GEMM), AuxK on dead latents (as sparsify: only when some latent has
not fired for `dead_tokens` tokens), decoder-gradient projection, Adam, decoder row norms.

Debian's python3-torch calls BLAS through the libblas.so.3 alternative: with only the
reference libblas3 installed its GEMM runs at ~0.6 GFLOP/s, so install libopenblas0-pthread
(apt-get install libopenblas0-pthread), which takes over the alternative. The JSON names the
BLAS library in use.

Prints one JSON object: the step time (fastest round of `steps` steps), the GEMM floor, and
the thread count. Usage:
  python3 torch_step.py --d 768 --m 16384 --k 32 --batch 4096 --threads 2 --steps 3
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def blas_library() -> str:
    """The shared library behind libblas.so.3 in this process (OpenBLAS or the reference)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                if "libblas" in line or "openblas" in line:
                    return line.split()[-1]
    except OSError:
        pass
    return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, required=True)
    ap.add_argument("--m", type=int, required=True)
    ap.add_argument("--k", type=int, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--k-aux", type=int, default=0, help="default: d // 2, as saekit")
    ap.add_argument("--dead-tokens", type=int, default=10_000_000)
    ap.add_argument(
        "--encoder-backward",
        choices=["sparse", "dense"],
        default="sparse",
        help="sparse: re-gather the k selected pre-activations; dense: autograd through "
        "topk into a dense [B, m] gradient and a second GEMM (sparsify's eager path)",
    )
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    d, m, k, B = a.d, a.m, a.k, a.batch
    k_aux = a.k_aux or min(m, d // 2)
    x = torch.randn(B, d)
    w_enc = torch.randn(m, d) / d**0.5
    w_dec = w_enc.clone()
    w_dec /= w_dec.norm(dim=1, keepdim=True)
    params = {
        "w_enc": w_enc.requires_grad_(),
        "b_enc": torch.zeros(m, requires_grad=True),
        "w_dec": w_dec.requires_grad_(),
        "b_dec": x.mean(0).clone().requires_grad_(),
    }
    opt = torch.optim.Adam(params.values(), lr=1e-4)
    stale = torch.zeros(m, dtype=torch.long)
    last_dead = 0.0

    def encode_selected(xt: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        # pre[b, j] = <xt[b], W_enc[idx[b, j]]> + b_enc[idx[b, j]], differentiable in the
        # k gathered rows only.
        rows = F.embedding(idx, params["w_enc"])  # [B, k, d]
        return torch.bmm(rows, xt.unsqueeze(2)).squeeze(2) + params["b_enc"][idx]

    def decode(vals: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
        return F.embedding_bag(idx, params["w_dec"], per_sample_weights=vals, mode="sum")

    def step() -> float:
        nonlocal stale, last_dead
        opt.zero_grad(set_to_none=True)
        xt = x - params["b_dec"]
        if a.encoder_backward == "dense":
            pre = torch.addmm(params["b_enc"], xt, params["w_enc"].t())
            top, idx = pre.topk(k, dim=1, sorted=False)
            vals = F.relu(top)
        else:
            with torch.no_grad():
                pre = torch.addmm(params["b_enc"], xt, params["w_enc"].t())
                _, idx = pre.topk(k, dim=1, sorted=False)
            vals = F.relu(encode_selected(xt, idx))
        xhat = decode(vals, idx) + params["b_dec"]
        e = x - xhat
        den = (x - x.mean(0)).pow(2).sum()
        fvu = e.pow(2).sum() / den
        loss = fvu
        dead = stale > a.dead_tokens
        last_dead = float(dead.float().mean())
        if bool(dead.any()):
            with torch.no_grad():
                masked = pre.detach().masked_fill(~dead, float("-inf"))
                ka = min(k_aux, int(dead.sum()))
                _, aux_idx = masked.topk(ka, dim=1, sorted=False)
            aux_vals = F.relu(
                pre.gather(1, aux_idx)
                if a.encoder_backward == "dense"
                else encode_selected(xt, aux_idx)
            )
            e_hat = decode(aux_vals, aux_idx)
            res = e.detach()
            aux = (e_hat - res).pow(2).sum() / (res - res.mean(0)).pow(2).sum()
            loss = loss + aux / 32
        loss.backward()
        with torch.no_grad():
            g, w = params["w_dec"].grad, params["w_dec"]
            g -= (g * w).sum(1, keepdim=True) * w
        opt.step()
        with torch.no_grad():
            w = params["w_dec"]
            w /= w.norm(dim=1, keepdim=True)
            fired = torch.zeros(m, dtype=torch.bool)
            fired[idx[vals.detach() > 0]] = True
            stale = torch.where(fired, torch.zeros_like(stale), stale + B)
        return float(fvu)

    def timed(fn, n: int) -> float:
        best = float("inf")
        for _ in range(a.rounds):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            best = min(best, (time.perf_counter() - t0) / n)
        return best * 1000

    with torch.no_grad():
        xt0 = x - params["b_dec"]
        out = torch.empty(B, m)
        gemm = lambda: torch.addmm(params["b_enc"], xt0, params["w_enc"].t(), out=out)
        gemm()
        floor_ms = timed(gemm, a.steps)
    step()
    step_ms = timed(step, a.steps)
    print(
        json.dumps(
            {
                "backend": "pytorch",
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "blas": blas_library(),
                "encoderBackward": a.encoder_backward,
                "shape": {"dIn": d, "dSae": m, "k": k, "batchSize": B, "kAux": k_aux},
                "stepMs": step_ms,
                "floorMs": floor_ms,
                "ratio": step_ms / floor_ms,
                "tokensPerSecond": B * 1000 / step_ms,
                "deadFraction": last_dead,
            }
        )
    )


if __name__ == "__main__":
    main()
