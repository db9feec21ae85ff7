"""Trains the demo model on work/tokens.npy. Seeded, 2 threads, fixed step count (so a run is
reproducible; wall time depends on the machine). Writes work/model.pt (the weights averaged over
the last --average steps), work/loss.csv and models/demo/loss.{png|svg}.

Usage: /usr/bin/python3 train.py WORKDIR MODELDIR [--steps N] [--seed S] [--dropout P] [--average N]
"""
import argparse, csv, json, math, os, time
import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel
from model import CONFIG, Llama



def lr_at(step, steps, peak=3e-3, warmup=50):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def plot(rows, path_base):
    xs = [r[1] / 1e6 for r in rows]
    ys = [r[2] for r in rows]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
        ax.plot(xs, ys)
        ax.set_xlabel("training tokens (millions)"); ax.set_ylabel("loss (nats/token)")
        ax.set_yscale("log"); ax.grid(True, alpha=0.3); ax.set_title("demo model training loss")
        fig.tight_layout()
        fig.savefig(path_base + ".png", metadata={"Software": None})
        return path_base + ".png"
    except ImportError:
        w, h, pad = 600, 350, 40
        lo, hi = math.log(min(ys)), math.log(max(ys))
        pts = " ".join(f"{pad + (x - xs[0]) / (xs[-1] - xs[0]) * (w - 2 * pad):.1f},"
                       f"{h - pad - (math.log(y) - lo) / (hi - lo) * (h - 2 * pad):.1f}" for x, y in zip(xs, ys))
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"><polyline fill="none" '
               f'stroke="black" points="{pts}"/><text x="{pad}" y="20">loss {ys[0]:.2f} to {ys[-1]:.2f} (log scale) '
               f'over {xs[-1]:.2f} M tokens</text></svg>\n')
        open(path_base + ".svg", "w").write(svg)
        return path_base + ".svg"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work"); ap.add_argument("model_dir")
    ap.add_argument("--steps", type=int, default=650)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", default="model.pt")
    # Curriculum: short windows first (attention cost grows with length), full 512-token windows
    # for the last `--long` share of steps so positions up to 512 are trained.
    ap.add_argument("--long", type=float, default=0.35)
    ap.add_argument("--threads", type=int, default=2)
    # "aligned" (the committed model): every window starts at a conversation's first token, as a
    # prompt does. "random" starts windows anywhere, so most open mid-conversation with the system
    # prompt cut off: the model learns that a conversation with no visible system prompt may be in
    # any role's register, and default replies (above all with no system prompt) fall into role
    # registers (77% assistant register against 95% wanted, in the previous model).
    ap.add_argument("--windows", choices=("aligned", "random"), default="aligned")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=50)
    # Residual dropout on every attention and MLP output. On the committed 8-role data it keeps
    # capped sentences whole (96% against 92% without) and capping turns more replies back (+45 / +37
    # pp against +22 / +10); the rate moves these unevenly (models/demo/README.md: design history).
    ap.add_argument("--dropout", type=float, default=0.2)
    # model.pt holds the mean of the weights after each of the last N steps (stochastic weight
    # averaging; 0: the last step's weights). On the committed training the mean lines the roles up
    # along the axis better (PC1 |cos| 0.85 against 0.80) and meets all ten proof targets; on another
    # training seed it helped nothing (models/demo/README.md: design history, weight averaging).
    ap.add_argument("--average", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    data = torch.from_numpy(np.load(os.path.join(args.work, "tokens.npy")).astype(np.int64))
    model = Llama(CONFIG, dropout=args.dropout)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(args.seed)
    EOT = 0  # <|endoftext|> ends every conversation in train.txt (make_tokenizer.py: specials first)
    conv_starts = torch.cat([torch.tensor([0]), (data == EOT).nonzero().flatten() + 1])
    averaged = AveragedModel(model) if args.average > 0 else None
    rows, t0, tokens = [], time.time(), 0
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, peak=args.lr, warmup=args.warmup)
        SEQ, BATCH = (512, 8) if step >= args.steps * (1 - args.long) else (256, 16)
        if args.windows == "aligned":
            ok = conv_starts[conv_starts < len(data) - SEQ - 1]
            starts = ok[torch.randint(0, len(ok), (BATCH,), generator=gen)]
        else:
            starts = torch.randint(0, len(data) - SEQ - 1, (BATCH,), generator=gen)
        batch = torch.stack([data[s:s + SEQ + 1] for s in starts.tolist()])
        logits, _, _ = model(batch[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tokens += BATCH * SEQ
        if averaged is not None and step >= args.steps - args.average:
            averaged.update_parameters(model)
        if step % 10 == 0 or step == args.steps - 1:
            el = time.time() - t0
            rows.append((step, tokens, float(loss), el))
            if args.out == "model.pt" and step % 100 == 0:
                torch.save(model.state_dict(), os.path.join(args.work, "model.partial.pt"))
            print(f"step {step} tokens {tokens} loss {float(loss):.4f} {tokens / el:.0f} tok/s", flush=True)
    el = time.time() - t0
    weights = averaged.module if averaged is not None else model
    torch.save(weights.state_dict(), os.path.join(args.work, args.out))
    with open(os.path.join(args.work, "loss.csv"), "w", newline="") as f:
        w = csv.writer(f); w.writerow(["step", "tokens", "loss", "seconds"]); w.writerows(rows)
    final = float(np.mean([r[2] for r in rows[-5:]]))
    summary = {"params": n_params, "steps": args.steps, "peak_lr": args.lr, "dropout": args.dropout, "averaged_steps": args.average, "windows": "256x16, then 512x8 for the last %d%% of steps, %s starts" % (round(100 * args.long), args.windows), "tokens": tokens,
               "seconds": round(el, 1), "tokens_per_second": round(tokens / el), "final_loss_last5_mean": round(final, 4),
               "corpus_tokens": int(len(data)), "seed": args.seed}
    json.dump(summary, open(os.path.join(args.work, "train_summary.json"), "w"), indent=1)
    if args.out == "model.pt":
        import shutil
        shutil.copy(os.path.join(args.work, "loss.csv"), os.path.join(args.model_dir, "loss.csv"))
        plot(rows, os.path.join(args.model_dir, "loss"))
    print("train:", json.dumps(summary))


if __name__ == "__main__":
    main()
