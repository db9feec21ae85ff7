"""Exports work/model.pt to the layout transformers.js loads (optimum-style decoder with KV cache):
MODELDIR/{config.json, generation_config.json, onnx/model.onnx}. Inputs input_ids, attention_mask,
position_ids, past_key_values.{i}.key/value; outputs logits, present.{i}.key/value. Also writes
WORK/onnx_check.json (torch logits for a prompt) for verify_model.mjs.

Usage: /usr/bin/python3 export.py WORKDIR MODELDIR
"""
import json, os, sys
import torch
import bpe
from model import CONFIG, Llama

OPSET = 17


class Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents, _ = self.model(input_ids, attention_mask, position_ids, past)
        return (logits, *[t for kv in presents for t in kv])


def main(work, model_dir):
    torch.manual_seed(0)
    model = Llama(CONFIG)
    model.load_state_dict(torch.load(os.path.join(work, "model.pt")))
    model.eval()
    n_layers, heads = CONFIG["num_hidden_layers"], CONFIG["num_attention_heads"]
    hd = CONFIG["hidden_size"] // heads
    past_len, t = 3, 5
    ids = torch.randint(3, CONFIG["vocab_size"], (1, t))
    mask = torch.ones(1, past_len + t, dtype=torch.int64)
    pos = torch.arange(past_len, past_len + t).unsqueeze(0)
    past = [torch.randn(1, heads, past_len, hd) for _ in range(2 * n_layers)]
    in_names = ["input_ids", "attention_mask", "position_ids"] + [
        f"past_key_values.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    out_names = ["logits"] + [f"present.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in in_names[3:]:
        axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in out_names[1:]:
        axes[n] = {0: "batch_size", 2: "total_sequence_length"}
    os.makedirs(os.path.join(model_dir, "onnx"), exist_ok=True)
    path = os.path.join(model_dir, "onnx", "model.onnx")
    with torch.no_grad():
        torch.onnx.export(Wrapper(model), (ids, mask, pos, *past), path, input_names=in_names,
                          output_names=out_names, dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": CONFIG["vocab_size"],
              "hidden_size": CONFIG["hidden_size"], "intermediate_size": CONFIG["intermediate_size"],
              "num_hidden_layers": n_layers, "num_attention_heads": heads,
              "num_key_value_heads": CONFIG["num_key_value_heads"], "head_dim": hd, "hidden_act": "silu",
              # Trained on 512-token windows, but rotary has no hard limit and the engine refuses
              # conversations longer than this value; the demo transcripts are longer than 512 tokens.
              "max_position_embeddings": 32768, "rms_norm_eps": CONFIG["rms_norm_eps"],
              "rope_theta": CONFIG["rope_theta"], "rope_scaling": None, "attention_bias": False, "mlp_bias": False,
              "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0,
              "torch_dtype": "float32", "use_cache": True}
    gen = {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0, "do_sample": False, "max_new_tokens": 96}
    for name, obj in (("config.json", config), ("generation_config.json", gen)):
        with open(os.path.join(model_dir, name), "w", newline="\n") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    # Reference logits for the Node check: a ChatML prompt, full forward in torch.
    tok = bpe.Tokenizer.from_hf_json(json.load(open(os.path.join(model_dir, "tokenizer.json"))))
    prompt = "<|im_start|>system\nYou are a pirate.<|im_end|>\n<|im_start|>user\nHow do I bake bread?<|im_end|>\n<|im_start|>assistant\n"
    pids = tok.encode(prompt)
    with torch.no_grad():
        logits, _, _ = model(torch.tensor([pids]))
    json.dump({"prompt": prompt, "ids": pids, "lastLogits": logits[0, -1].tolist(),
               "firstLogits": logits[0, 0].tolist()}, open(os.path.join(work, "onnx_check.json"), "w"))
    print(f"export: {path} ({os.path.getsize(path) / 1e6:.2f} MB), opset {OPSET}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
