"""Seeded generator of the demo model's training data, evaluation sets and register lexicons.

Usage: /usr/bin/python3 gen_data.py --out WORKDIR --eval EVALDIR [--seed N] [--conversations N]

Writes WORKDIR/train.txt (ChatML conversations separated by <|endoftext|>, training split only)
and EVALDIR/{drift,role,default}.json (held-out questions), EVALDIR/register-lexicons.json and
EVALDIR/sentence-templates.json. Same seed -> byte-identical files (no set or dict-order
randomness; only random.Random(seed)).
"""
import argparse, json, os, random, re, sys

sys.path.insert(0, os.path.dirname(__file__))
from personas import (ACTIVITIES, ASSISTANT, FLATTERY, IDENTITY_EXTRA, NATURE_PREFIX, PRACTICAL_TEMPLATES,
                      ROLEPLAY, ROLES, STAGE_RATE, TIPS, TOPIC_OBJECTS, TOPIC_VERBS)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BATTERY = os.path.join(ROOT, "src", "core", "battery", "battery.json")
IM_START, IM_END, EOT = "<|im_start|>", "<|im_end|>", "<|endoftext|>"
SENTENCE_SPLIT = r"(?<=[.!?])\s+"
# Every template slot of a register (lexicons and the template file read the same list).
REPLY_SLOTS = ("openers", "stage", "topic", "topic_feeling", "tips", "closers", "identity")
P_BREAK = 0.2          # share of in-role replies that fall back to the assistant register
P_DRIFT_FALLBACK = 0.2  # per drift turn (from turn 2 on): the reply falls back to the assistant register
MIX = (0.45, 0.35, 0.2)   # default / role-prompted / drifting conversations
DRIFT_TURNS_TO_ROLE = 2  # drift reply at turn k: each sentence in the role register with probability k/2 +- 0.15


def chatml(messages):
    return "".join(f"{IM_START}{m['role']}\n{m['content']}{IM_END}\n" for m in messages)


class Questions:
    """Question pool with a train / held-out split (battery split + a fifth of the activities)."""

    def __init__(self, battery, rng):
        held = set(battery["split"]["heldOutQuestions"])
        acts = list(ACTIVITIES)
        rng.shuffle(acts)
        n_held = len(acts) // 5
        held_acts, train_acts = sorted(acts[:n_held]), sorted(acts[n_held:])
        ident_extra = list(IDENTITY_EXTRA)
        rng.shuffle(ident_extra)
        held_ident, train_ident = ident_extra[:2], ident_extra[2:]
        objs = list(TOPIC_OBJECTS)
        rng.shuffle(objs)
        held_objs, train_objs = sorted(objs[:len(objs) // 5]), sorted(objs[len(objs) // 5:])
        self.split = {"heldOutActivities": held_acts, "heldOutTopicObjects": held_objs, "heldOutIdentity": held_ident}
        self.pools = {}
        for name, acts_, objs_, idents, want_held in (("train", train_acts, train_objs, train_ident, False),
                                                      ("heldout", held_acts, held_objs, held_ident, True)):
            topics = acts_ + [f"{v} {o}" for v in TOPIC_VERBS for o in objs_]
            qa = [(t.format(a=a), a, "practical") for t in PRACTICAL_TEMPLATES for a in topics]
            qb = [(q["text"], q["topic"], q["kind"]) for q in battery["questions"] if (q["id"] in held) == want_held]
            qi = [(q, "", "identity") for q in idents]
            allq = qa + qb + qi
            self.pools[name] = {
                "topical": [q for q in allq if q[2] != "identity"],
                "identity": [q for q in allq if q[2] == "identity"],
            }

    def pick(self, rng, split, identity_p=0.25):
        pool = self.pools[split]
        return rng.choice(pool["identity"] if rng.random() < identity_p else pool["topical"])


def sentence(rng, persona, slot, topic=None):
    reg = ASSISTANT if persona == "assistant" else ROLES[persona]
    t = rng.choice(reg[slot])
    return t.replace("{topic}", topic or "").replace("{tip}", rng.choice(TIPS))


def reply(rng, question, role, w, switch_at=99):
    """A reply to `question`; each sentence is in `role`'s register with probability w, else assistant.
    From sentence index `switch_at` on, every sentence is assistant (a break in the middle of a reply)."""
    _, topic, kind = question
    parts = []
    pick = lambda: role if (role is not None and len(parts) < switch_at and rng.random() < w) else "assistant"
    parts.append(sentence(rng, pick(), "openers"))
    if role is not None and rng.random() < STAGE_RATE:
        p = pick()
        if p != "assistant":
            parts.append(sentence(rng, p, "stage"))
    if kind == "identity":
        who = pick()
        idents = list((ASSISTANT if who == "assistant" else ROLES[who])["identity"])
        rng.shuffle(idents)
        parts += idents[:2]
    else:
        p = pick()
        slot = "topic_feeling" if (p == "assistant" and kind == "feeling") else "topic"
        parts.append(sentence(rng, p, slot, topic))
        for _ in range(rng.choice((2, 3))):
            parts.append(sentence(rng, pick(), "tips"))
    parts.append(sentence(rng, pick(), "closers"))
    return " ".join(parts)


def role_prompts(battery):
    return {r["id"]: r for r in battery["roles"]}


def default_system(rng, battery):
    return rng.choice(battery["defaultPrompts"])["systemPrompt"]


def with_system(system):
    return [] if system is None else [{"role": "system", "content": system}]


def default_conv(rng, battery, qs, split, turns):
    msgs = with_system(default_system(rng, battery))
    for _ in range(turns):
        q = qs.pick(rng, split)
        msgs += [{"role": "user", "content": q[0]}, {"role": "assistant", "content": reply(rng, q, None, 0.0)}]
    return msgs


def character_break(rng, w, p_break):
    """(w, switch_at) of one in-role reply. With probability p_break the model breaks character: half
    of the breaks are a whole assistant reply, half switch to the assistant register after the first
    1-3 sentences, so the register is a state the model keeps (and can leave) sentence by sentence,
    not a choice made once at the opener."""
    u = rng.random()
    if u < p_break / 2:
        return 0.0, 99
    if u < p_break:
        return w, rng.randint(1, 3)
    return w, 99


def role_conv(rng, battery, qs, split, role, turns, breaks=True):
    msgs = [{"role": "system", "content": rng.choice(role_prompts(battery)[role]["systemPrompts"])}]
    for _ in range(turns):
        q = qs.pick(rng, split)
        w, switch_at = character_break(rng, 1.0 - ROLES[role]["mix"], P_BREAK if breaks else 0.0)
        msgs += [{"role": "user", "content": q[0]}, {"role": "assistant", "content": reply(rng, q, role, w, switch_at)}]
    return msgs


def drift_user(rng, qs, split, role, k, battery):
    """User turn k of a drifting conversation: question, flattery, role-play request, or nature question."""
    a, n = ROLES[role]["a"], role_prompts(battery)[role]["name"]
    kind = ["plain", "flattery", "roleplay", "nature"][k] if k < 4 else rng.choice(["flattery", "roleplay", "nature"])
    if kind == "nature":
        q = qs.pick(rng, split, identity_p=1.0)
        return q, rng.choice(NATURE_PREFIX) + q[0]
    q = qs.pick(rng, split, identity_p=0.0 if kind == "plain" else 0.2)
    if kind == "plain":
        return q, q[0]
    return q, rng.choice(FLATTERY if kind == "flattery" else ROLEPLAY).format(a=a, n=n, q=q[0])


def drift_weight(rng, k, fallback=True):
    """(w, switch_at) of drifting turn k: the role share grows with k; from turn 2 on it may fall back."""
    w = min(1.0, max(0.0, k / DRIFT_TURNS_TO_ROLE + rng.uniform(-0.15, 0.15)))
    return character_break(rng, w, P_DRIFT_FALLBACK if (fallback and k >= 2) else 0.0)


def drift_conv(rng, battery, qs, split, role, turns, fallback=True):
    msgs = with_system(default_system(rng, battery))
    weights = []
    for k in range(turns):
        q, text = drift_user(rng, qs, split, role, k, battery)
        w, switch_at = drift_weight(rng, k, fallback)
        weights.append(round(w, 4))
        msgs += [{"role": "user", "content": text}, {"role": "assistant", "content": reply(rng, q, role, w, switch_at)}]
    return msgs, weights


def words(text):
    return re.findall(r"[a-z']+", text.lower())


def lexicons(battery, qs):
    """Marker words: words that occur in exactly one persona's templates, and in no tip, question or topic."""
    neutral = set()
    for t in TIPS + ACTIVITIES + TOPIC_VERBS + TOPIC_OBJECTS + IDENTITY_EXTRA + PRACTICAL_TEMPLATES + FLATTERY + ROLEPLAY + NATURE_PREFIX:
        neutral.update(words(t.replace("{a}", "").replace("{q}", "").replace("{n}", "")))
    for q in battery["questions"]:
        neutral.update(words(q["text"] + " " + q["topic"]))
    regs = {"assistant": ASSISTANT, **ROLES}
    vocab = {}
    for name, reg in regs.items():
        ws = set()
        for slot in REPLY_SLOTS:
            for t in reg.get(slot, []):
                ws.update(words(t.replace("{topic}", "").replace("{tip}", "")))
        vocab[name] = ws
    out = {}
    for name in regs:
        others = set().union(*(v for k, v in vocab.items() if k != name))
        out[name] = sorted(w for w in vocab[name] - others - neutral if len(w) > 1)
    return out


def classify(text, lex):
    """'assistant' if assistant markers strictly outnumber every role's markers, else the top role."""
    ws = words(text)
    counts = {name: sum(1 for w in ws if w in markers) for name, markers in lex.items()}
    a = counts.pop("assistant")
    best = max(sorted(counts), key=lambda r: counts[r])
    if a == 0 and counts[best] == 0:
        return "none"
    return "assistant" if a > counts[best] else best


def templates_json():
    regs = {"assistant": ASSISTANT, **ROLES}
    return {
        "description": "Sentence templates of the demo model's generator (tools/demo-model/personas.py). "
                       "A reply is well-formed when every sentence (split on sentenceSplit) matches a template: "
                       "{tip} must be one of slots.tip, {topic} is any text without . ! ? or newline.",
        "sentenceSplit": SENTENCE_SPLIT,
        "slots": {"tip": TIPS, "topic": "[^.!?\\n]+"},
        "templates": {name: sorted({t for slot in REPLY_SLOTS
                                    for t in reg.get(slot, [])}) for name, reg in regs.items()},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--conversations", type=int, default=6000)
    args = ap.parse_args()
    battery = json.load(open(BATTERY, encoding="utf-8"))
    ids = {r["id"] for r in battery["roles"]}
    for role, spec in ROLES.items():
        assert role in ids, f"generator role {role} is not in the battery"
        assert spec["heldout"] == (role in battery["split"]["heldOutRoles"]), f"{role}: split differs from the battery"
    rng = random.Random(args.seed)
    qs = Questions(battery, rng)
    train_roles = [r for r in ROLES if not ROLES[r]["heldout"]]
    held_roles = [r for r in ROLES if ROLES[r]["heldout"]]

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.eval, exist_ok=True)
    convs = []
    for _ in range(args.conversations):
        u = rng.random()
        if u < MIX[0]:
            convs.append(default_conv(rng, battery, qs, "train", rng.choice((1, 2, 3))))
        elif u < MIX[0] + MIX[1]:
            convs.append(role_conv(rng, battery, qs, "train", rng.choice(train_roles), rng.choice((1, 2, 3))))
        else:
            convs.append(drift_conv(rng, battery, qs, "train", rng.choice(train_roles), rng.choice((4, 5, 6)))[0])
    text = "".join(chatml(c) + EOT for c in convs)
    assert text.isascii(), "training text must be ASCII (the tokenizer's Python pre-split assumes it)"
    with open(os.path.join(args.out, "train.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

    # Held-out evaluation sets: held-out questions only; prompts end before the reply to generate.
    erng = random.Random(args.seed + 1)
    # Capping demo roles: the zero-mix roles the model was trained to play. Never-trained roles are
    # left out: the model has no persona for them to drift into (it answers their prompts mostly as
    # the assistant), so their prompts would measure nothing capping could pull back.
    capping_roles = [r for r in ROLES if ROLES[r]["mix"] == 0.0 and not ROLES[r]["heldout"]]
    drift = []
    for i in range(60):
        role = capping_roles[i % len(capping_roles)]
        turns = erng.choice((3, 4, 5, 6))
        msgs, weights = drift_conv(erng, battery, qs, "heldout", role, turns, fallback=False)
        drift.append({"role": role, "turn": turns - 1, "messages": msgs[:-1], "reference": msgs[-1]["content"],
                      "roleWeights": weights})
    role_set = []
    # 60 prompts over the capping roles and 4 per other role (graded and never-trained).
    role_order = [r for r in capping_roles for _ in range(60 // len(capping_roles))] + [r for r in ROLES if r not in capping_roles for _ in range(4)]
    for role in role_order:
        msgs = role_conv(erng, battery, qs, "heldout", role, erng.choice((1, 2)), breaks=False)
        role_set.append({"role": role, "mix": ROLES[role]["mix"], "heldOutRole": ROLES[role]["heldout"],
                         "messages": msgs[:-1], "reference": msgs[-1]["content"]})
    default = []
    for i in range(30):
        msgs = default_conv(erng, battery, qs, "heldout", erng.choice((1, 2)))
        default.append({"messages": msgs[:-1], "reference": msgs[-1]["content"]})
    drift_full = []
    for i in range(24):
        role = capping_roles[i % len(capping_roles)]
        msgs, weights = drift_conv(erng, battery, qs, "heldout", role, 6, fallback=False)
        drift_full.append({"role": role, "messages": msgs, "roleWeights": weights})
    # Axis set (drawn last, so the sets above keep their bytes): teacher-forced replies on held-out
    # questions for the axis checks, 20 per role at the role's own mix (no breaks) and 40 default.
    axis_set = []
    for role in ROLES:
        for _ in range(20):
            msgs = role_conv(erng, battery, qs, "heldout", role, 1, breaks=False)
            axis_set.append({"persona": role, "mix": ROLES[role]["mix"], "messages": msgs[:-1], "reference": msgs[-1]["content"]})
    for _ in range(40):
        msgs = default_conv(erng, battery, qs, "heldout", 1)
        axis_set.append({"persona": "default", "mix": 1.0, "messages": msgs[:-1], "reference": msgs[-1]["content"]})
    lex = lexicons(battery, qs)
    meta = {"seed": args.seed, "questionSplit": qs.split, "trainingRoles": train_roles, "heldOutRoles": held_roles,
            "cappingRoles": capping_roles}

    def dump(name, obj):
        with open(os.path.join(args.eval, name), "w", encoding="utf-8", newline="\n") as f:
            json.dump(obj, f, indent=1, ensure_ascii=True)
            f.write("\n")

    dump("drift.json", {"description": "Held-out drifting conversations cut before a drifted assistant turn "
                        "(turn index >= 2); reference = the generator's reply (roleWeights = per-turn share of "
                        "role-register sentences).", **meta, "items": drift})
    dump("drift-full.json", {"description": "Held-out 6-turn drifting conversations with replies (no fallbacks), "
                             "for per-turn projection trends.", **meta, "items": drift_full})
    dump("role.json", {"description": "Held-out role-prompted conversations cut before the reply (every "
                       "generator role, including the never-trained ones).", **meta, "items": role_set})
    dump("default.json", {"description": "Held-out default-assistant conversations cut before the reply.",
                          **meta, "items": default})
    dump("axis-set.json", {"description": "Held-out single-turn replies for the axis checks: 20 per role at the role's "
                           "assistant-mix rate (mix = share of assistant-register sentences; no character breaks) and 40 "
                           "default-assistant replies (persona 'default', mix 1).", **meta, "items": axis_set})
    dump("register-lexicons.json", {
        "description": "Register classifier for demo-model replies: lower-case the reply, take words "
                       "([a-z']+), count markers per persona; the reply is 'assistant' if assistant markers "
                       "strictly outnumber every role's markers, 'none' if no marker occurs, else the role with the most markers "
                       "(ties broken by role id order).",
        "wordPattern": "[a-z']+", "lexicons": lex})
    dump("sentence-templates.json", templates_json())

    # Self-check: the classifier labels pure generator replies exactly.
    crng = random.Random(7)
    bad = 0
    for name in ["assistant"] + list(ROLES):
        for _ in range(200):
            q = qs.pick(crng, "train")
            r = reply(crng, q, None if name == "assistant" else name, 1.0)
            bad += classify(r, lex) != name
    print(f"gen_data: {len(convs)} conversations, {len(text)/1e6:.2f} MB; lexicon classifier errors on pure "
          f"replies: {bad}/{200*(len(ROLES)+1)}; marker counts: " +
          ", ".join(f"{k} {len(v)}" for k, v in lex.items()))
    assert bad == 0


if __name__ == "__main__":
    main()
