"""Quick Python measurement of the trained demo model (the project's TypeScript pipeline redoes
this through ONNX): per-layer AUC, |cos(axis, PC1)|, drift Spearman, capping effect.

Method (see docs in README.md): residual stream after each decoder layer; per-response activation =
mean over the reply's content tokens (ChatML markup excluded); axis = mean(default) - mean of the
training roles' vectors, fitted on training questions; evaluation on held-out questions.
Capping: h <- h + v * max(tau - <h, v>, 0) at layers 2-3, all positions, tau = 25th percentile of
per-response mean projections of default-assistant responses (fit set).

Usage: /usr/bin/python3 analyze.py WORKDIR MODELDIR [--n N]  -> WORK/analysis.json
"""
import argparse, json, os, random, re, sys, time
import numpy as np
import torch
import bpe, gen_data
from gen_data import ROLES, reply, chatml
from model import CONFIG, Llama

CAP_LAYERS = (2, 3)
MID = 2


def load(work, model_dir):
    model = Llama(CONFIG)
    model.load_state_dict(torch.load(os.path.join(work, "model.pt")))
    model.eval()
    tok = bpe.Tokenizer.from_hf_json(json.load(open(os.path.join(model_dir, "tokenizer.json"))))
    return model, tok


def reply_spans(tok, messages):
    """Token ids of a ChatML conversation and [start, end) spans of each assistant reply's content."""
    ids, spans = [], []
    for m in messages:
        head = tok.encode(f"<|im_start|>{m['role']}\n")
        body = tok.encode(m["content"])
        tail = tok.encode("<|im_end|>\n")
        ids += head
        if m["role"] == "assistant":
            spans.append((len(ids), len(ids) + len(body)))
        ids += body + tail
    return ids, spans


@torch.no_grad()
def reply_means(model, tok, convs):
    """Per layer: array [n_replies_total, hidden] of reply-mean activations; also per-conversation lists."""
    per_conv = []
    for msgs in convs:
        ids, spans = reply_spans(tok, msgs)
        _, _, hs = model(torch.tensor([ids]))
        per_conv.append([[h[0, a:b].mean(0).numpy() for (a, b) in spans] for h in hs])
    return per_conv


def auc(pos, neg):
    pos, neg = np.asarray(pos), np.asarray(neg)
    allv = np.concatenate([pos, neg])
    ranks = allv.argsort().argsort() + 1.0
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def spearman(x, y):
    rx = np.asarray(x).argsort().argsort().astype(float)
    ry = np.asarray(y).argsort().argsort().astype(float)
    return float(np.corrcoef(rx, ry)[0, 1])


@torch.no_grad()
def generate(model, tok, prompt_ids, cap, temp, seed, max_new=90):
    g = torch.Generator().manual_seed(seed)
    end = tok.ids["<|im_end|>"]
    logits, past, _ = model(torch.tensor([prompt_ids]), cap=cap)
    out = []
    for _ in range(max_new):
        last = logits[0, -1]
        if temp == 0:
            nxt = int(last.argmax())
        else:
            nxt = int(torch.multinomial(torch.softmax(last / temp, -1), 1, generator=g))
        if nxt == end:
            break
        out.append(nxt)
        logits, past, _ = model(torch.tensor([[nxt]]), position_ids=torch.tensor([[len(prompt_ids) + len(out) - 1]]),
                                past=past, cap=cap)
    return tok.decode(out).strip()


def template_checker(tpl):
    tip = "(?:" + "|".join(re.escape(t) for t in tpl["slots"]["tip"]) + ")"
    pats = [re.compile("^" + re.escape(t).replace(re.escape("{topic}"), tpl["slots"]["topic"]).replace(re.escape("{tip}"), tip) + "$")
            for ts in tpl["templates"].values() for t in ts]
    def check(text):
        ss = [s for s in re.split(tpl["sentenceSplit"], text.strip()) if s]
        return sum(1 for s in ss if any(p.match(s) for p in pats)), len(ss)
    return check


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work"); ap.add_argument("model_dir")
    ap.add_argument("--temp", type=float, default=0.7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="small sets, to test the script")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    model, tok = load(args.work, args.model_dir)
    battery = json.load(open(gen_data.BATTERY))
    ev = os.path.join(args.model_dir, "eval")
    lex = json.load(open(os.path.join(ev, "register-lexicons.json")))["lexicons"]
    check = template_checker(json.load(open(os.path.join(ev, "sentence-templates.json"))))
    rng = random.Random(99)
    qs = gen_data.Questions(battery, random.Random(1234))  # same seed as gen_data: same split
    train_roles = [r for r in ROLES if not ROLES[r]["heldout"]]

    def single(split, role, w, n):
        out = []
        for _ in range(n):
            q = qs.pick(rng, split)
            sysp = (rng.choice(battery["defaultPrompts"])["systemPrompt"] if role is None
                    else rng.choice(gen_data.role_prompts(battery)[role]["systemPrompts"]))
            out.append(gen_data.with_system(sysp) + [{"role": "user", "content": q[0]},
                                                     {"role": "assistant", "content": reply(rng, q, role, w)}])
        return out

    # Fit set (training questions): default replies, and in-role replies at each role's own mix.
    k = 0.125 if args.quick else 1.0
    fit_def = reply_means(model, tok, single("train", None, 0.0, int(240 * k)))
    fit_roles = {r: reply_means(model, tok, single("train", r, 1 - ROLES[r]["mix"], int(60 * k))) for r in ROLES}
    L = CONFIG["num_hidden_layers"]
    res = {"layers": L}
    vec = lambda convs, l: np.stack([c[l][0] for c in convs])
    axes, taus, unit = [], [], []
    for l in range(L):
        d = vec(fit_def, l).mean(0)
        rv = {r: vec(fit_roles[r], l).mean(0) for r in ROLES}
        axis = d - np.mean([rv[r] for r in train_roles], 0)
        u = axis / np.linalg.norm(axis)
        proj_def = vec(fit_def, l) @ u
        axes.append(axis); unit.append(u); taus.append(float(np.percentile(proj_def, 25)))
        M = np.stack([d] + [rv[r] for r in ROLES])
        pc1 = np.linalg.svd(M - M.mean(0), full_matrices=False)[2][0]
        res.setdefault("cosPC1_default_and_all12roles", []).append(round(abs(float(pc1 @ u)), 3))
        M2 = np.stack([rv[r] for r in ROLES])
        pc1b = np.linalg.svd(M2 - M2.mean(0), full_matrices=False)[2][0]
        res.setdefault("cosPC1_roles_only", []).append(round(abs(float(pc1b @ u)), 3))
        res.setdefault("axisNorm", []).append(round(float(np.linalg.norm(axis)), 3))
    # Held-out evaluation (held-out questions): pure-register replies.
    ev_def = reply_means(model, tok, single("heldout", None, 0.0, int(120 * k)))
    ev_roles = {r: reply_means(model, tok, single("heldout", r, 1.0, int(32 * k))) for r in ROLES}
    for l in range(L):
        a = vec(ev_def, l) @ unit[l]
        allr = np.concatenate([vec(ev_roles[r], l) @ unit[l] for r in ROLES])
        held = np.concatenate([vec(ev_roles[r], l) @ unit[l] for r in ROLES if ROLES[r]["heldout"]])
        res.setdefault("aucHeldOutQuestionsAllRoles", []).append(round(auc(a, allr), 4))
        res.setdefault("aucNeverTrainedRoles", []).append(round(auc(a, held), 4))
    res["roleProjectionMidLayer"] = {r: round(float((vec(fit_roles[r], MID) @ unit[MID]).mean()), 3) for r in ROLES}
    res["defaultProjectionMidLayer"] = round(float((vec(fit_def, MID) @ unit[MID]).mean()), 3)
    # Drift: per-turn projection (mean over the reply's tokens) vs turn index.
    drift_full = json.load(open(os.path.join(ev, "drift-full.json")))["items"]
    dm = reply_means(model, tok, [it["messages"] for it in drift_full])
    for l in range(L):
        xs, ys = [], []
        for c in dm:
            for k, v in enumerate(c[l]):
                xs.append(k); ys.append(float(v @ unit[l]))
        res.setdefault("driftSpearmanPooled", []).append(round(spearman(xs, ys), 3))
        if l == MID:
            res["driftMeanProjectionByTurnMid"] = [round(float(np.mean([y for x, y in zip(xs, ys) if x == k])), 3)
                                                   for k in range(6)]
    res["tau"] = [round(t, 4) for t in taus]
    res["tauRule"] = "25th percentile of per-response mean projections of default-assistant replies (fit set)"
    # Capping.
    u_t = [torch.tensor(u, dtype=torch.float32) for u in unit]

    def cap(i, x):
        if i not in CAP_LAYERS:
            return x
        p = x @ u_t[i]
        return x + u_t[i] * torch.clamp(taus[i] - p, min=0).unsqueeze(-1)

    def prompt_ids(msgs):
        return tok.encode(chatml(msgs) + "<|im_start|>assistant\n")

    drift = json.load(open(os.path.join(ev, "drift.json")))["items"]
    roles_ev = [it for it in json.load(open(os.path.join(ev, "role.json")))["items"] if it["mix"] == 0.0]
    default = json.load(open(os.path.join(ev, "default.json")))["items"]
    if args.quick:
        drift, roles_ev, default, drift_full = drift[:6], roles_ev[::10], default[:4], drift_full[:4]
    samples = {}
    for name, items in (("drift", drift), ("role", roles_ev), ("default", default)):
        for mode in ("uncapped", "capped"):
            shares, valid, total = [], 0, 0
            for j, it in enumerate(items):
                text = generate(model, tok, prompt_ids(it["messages"]), cap if mode == "capped" else None,
                                args.temp, seed=1000 + j)
                shares.append(gen_data.classify(text, lex) == "assistant")
                v, t = check(text); valid += v; total += t
                if j < 2:
                    samples.setdefault(f"{name}/{mode}", []).append(text)
            res[f"assistantShare/{name}/{mode}"] = round(100 * float(np.mean(shares)), 1)
            res[f"templateValid/{name}/{mode}"] = round(100 * valid / max(1, total), 1)
            res[f"n/{name}"] = len(items)
        res[f"cappingEffectPP/{name}"] = round(res[f"assistantShare/{name}/capped"] - res[f"assistantShare/{name}/uncapped"], 1)
    res["samples"] = samples
    res["temperature"] = args.temp
    res["seconds"] = round(time.time() - t0, 1)
    json.dump(res, open(os.path.join(args.work, "analysis.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in res.items() if k != "samples"}, indent=None))
    for k, v in samples.items():
        print(k, "|", v[0][:200])


if __name__ == "__main__":
    main()
