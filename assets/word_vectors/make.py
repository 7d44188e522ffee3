"""Builds minilm-l6-64.kwv, the word-piece vectors of the lexical embedder.

Each of all-MiniLM-L6-v2's 30,522 word pieces is run through the model on its
own ("[CLS] piece [SEP]"); the piece's output vector is kept, the table is
centred, reduced to its 64 leading principal directions and stored as one
f32 scale and 64 signed bytes per piece, followed by the vocabulary.

    python3 make.py MODEL_DIR OUT     # MODEL_DIR holds model.safetensors and vocab.txt

Needs numpy, scipy and safetensors. About 15 minutes of CPU on two cores.
"""
import struct
import sys
from math import sqrt

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

DIMS = 64
HIDDEN, HEADS, LAYERS, EPS = 384, 12, 6, 1e-12


def main(model_dir, out):
    w = load_file(model_dir + "/model.safetensors")
    vocab = open(model_dir + "/vocab.txt", encoding="utf-8").read().split("\n")
    while vocab and vocab[-1] == "":
        vocab.pop()
    n = w["embeddings.word_embeddings.weight"].shape[0]
    assert len(vocab) == n, (len(vocab), n)

    def norm(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + EPS) * w[p + ".weight"] + w[p + ".bias"]

    def dense(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    def heads(x, b, t):
        return x.reshape(b, t, HEADS, HIDDEN // HEADS).transpose(0, 2, 1, 3)

    def encode(ids):
        b, t = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:t][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            q = heads(dense(x, p + "attention.self.query"), b, t)
            k = heads(dense(x, p + "attention.self.key"), b, t)
            v = heads(dense(x, p + "attention.self.value"), b, t)
            a = q @ k.transpose(0, 1, 3, 2) / sqrt(HIDDEN // HEADS)
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(b, t, HIDDEN)
            x = norm(dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / sqrt(2)))
            x = norm(dense(h, p + "output.dense") + x, p + "output.LayerNorm")
        return x

    table = np.zeros((n, HIDDEN), np.float32)
    for s in range(0, n, 2048):
        e = min(n, s + 2048)
        ids = np.stack([np.full(e - s, 101), np.arange(s, e), np.full(e - s, 102)], 1)
        table[s:e] = encode(ids)[:, 1]
    table -= table.mean(0)
    _, _, vt = np.linalg.svd(table, full_matrices=False)
    reduced = table @ vt[:DIMS].T
    scale = np.maximum(np.abs(reduced).max(1), 1e-12) / 127.0
    quantised = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)

    with open(out, "wb") as f:
        f.write(b"KWV1")
        f.write(struct.pack("<II", n, DIMS))
        for row in range(n):
            f.write(struct.pack("<f", float(scale[row])))
            f.write(quantised[row].tobytes())
        f.write("\n".join(vocab).encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
