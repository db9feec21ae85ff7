"""The demo model: a Llama-layout decoder written by hand for Debian's torch 1.13 (no
scaled_dot_product_attention there). Parameter names follow Hugging Face's LlamaForCausalLM.

forward(input_ids, attention_mask, position_ids, past) -> (logits, presents, hiddens):
past / presents are per-layer (key, value) tensors [batch, heads, length, head_dim]; hiddens are
the residual stream after each decoder layer (what the Assistant Axis is computed on). An
optional `cap` callback edits each layer's output (activation capping in analyze.py).
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = dict(vocab_size=1024, hidden_size=128, intermediate_size=352, num_hidden_layers=4,
              num_attention_heads=4, num_key_value_heads=4, rms_norm_eps=1e-5, rope_theta=10000.0,
              max_position_embeddings=512)


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, self.h = c["hidden_size"], c["num_attention_heads"]
        self.hd = d // self.h
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, cos, sin, mask, past):
        b, t, d = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        y = torch.softmax(att, dim=-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, d)), (k, v)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, m = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(d, m, bias=False)
        self.up_proj = nn.Linear(d, m, bias=False)
        self.down_proj = nn.Linear(m, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c, dropout=0.0):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = MLP(c)
        # Residual dropout while training (train.py --dropout). At 0 there is no dropout module, so
        # nothing is drawn from the random generator and DROPOUT=0 rebuilds the models of the design
        # history trained before it bit for bit.
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x, cos, sin, mask, past):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + self.drop(a)
        x = x + self.drop(self.mlp(self.post_attention_layernorm(x)))
        return x, present


class Llama(nn.Module):
    def __init__(self, c=CONFIG, dropout=0.0):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c, dropout) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        hd = c["hidden_size"] // c["num_attention_heads"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        self.register_buffer("inv_freq", inv, persistent=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None, cap=None):
        b, t = input_ids.shape
        past_len = past[0][0].shape[2] if past is not None else 0
        if position_ids is None:
            position_ids = torch.arange(past_len, past_len + t).unsqueeze(0).expand(b, t)
        total = past_len + t
        # Causal mask from shapes only (no export-time length baked in): key j visible to query i iff j <= past_len + i.
        qpos = torch.arange(t).unsqueeze(1) + past_len
        kpos = torch.arange(total).unsqueeze(0)
        allowed = (kpos <= qpos).unsqueeze(0).unsqueeze(0)
        if attention_mask is not None:
            allowed = allowed & (attention_mask[:, None, None, :] > 0)
        mask = (~allowed).to(torch.float32) * -1e9
        freqs = position_ids.to(torch.float32).unsqueeze(-1) * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1).unsqueeze(1)
        cos, sin = emb.cos(), emb.sin()
        x = self.embed_tokens(input_ids)
        presents, hiddens = [], []
        for i, layer in enumerate(self.layers):
            x, present = layer(x, cos, sin, mask, past[i] if past is not None else None)
            if cap is not None:
                x = cap(i, x)
            presents.append(present)
            hiddens.append(x)
        logits = self.norm(x) @ self.embed_tokens.weight.t()  # tied embeddings
        return logits, presents, hiddens
