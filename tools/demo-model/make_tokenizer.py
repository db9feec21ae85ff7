"""Trains the byte-level BPE on work/train.txt, writes models/demo/tokenizer.json and
tokenizer_config.json (ChatML chat template), the encoded corpus work/tokens.npy, and
work/tok_sample.json (Python ids of sample texts, checked against transformers.js by verify_js.mjs).

Usage: /usr/bin/python3 make_tokenizer.py WORKDIR MODELDIR
"""
import json, os, sys
import numpy as np
import bpe

VOCAB_SIZE = 1024
CHAT_TEMPLATE = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] "
                 "+ '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def main(work, model_dir):
    text = open(os.path.join(work, "train.txt"), encoding="utf-8").read()
    vocab, merges = bpe.train(text, VOCAB_SIZE)
    tok = bpe.Tokenizer(vocab, merges)
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(tok.to_hf_json(), f, ensure_ascii=False, indent=1)
        f.write("\n")
    cfg = {"tokenizer_class": "GPT2Tokenizer", "add_bos_token": False, "add_eos_token": False,
           "add_prefix_space": False, "bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
           "pad_token": "<|endoftext|>", "unk_token": None, "model_max_length": 512,
           "clean_up_tokenization_spaces": False, "chat_template": CHAT_TEMPLATE}
    with open(os.path.join(model_dir, "tokenizer_config.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(cfg, f, indent=1)
        f.write("\n")
    ids = tok.encode(text)
    assert tok.decode(ids) == text, "decode(encode(corpus)) != corpus"
    np.save(os.path.join(work, "tokens.npy"), np.asarray(ids, dtype=np.int16))
    convs = [c for c in text.split("<|endoftext|>") if c][:300]
    extra = ["Hello, world! It's 3.14 - naive café ☕ and 日本語.\n\n  tabs\tand  spaces ",
             "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"]
    sample = [{"text": t, "ids": tok.encode(t)} for t in convs + extra]
    with open(os.path.join(work, "tok_sample.json"), "w", encoding="utf-8") as f:
        json.dump(sample, f)
    print(f"make_tokenizer: vocab {len(vocab)} ({len(merges)} merges), corpus {len(ids)} tokens "
          f"({len(text)/len(ids):.2f} chars/token), round trip ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
