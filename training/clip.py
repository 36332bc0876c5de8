"""CLIP: a text transformer and an image encoder trained together with InfoNCE.

The text encoder's per-token hidden states condition the U-Net through cross-attention;
its pooled, projected [CLS] state and the image encoder's output live in one shared space.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    """Pre-norm transformer block with bidirectional self-attention."""

    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, pad):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, key_padding_mask=pad, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class TextEncoder(nn.Module):
    def __init__(self, vocab_size, length, d=128, layers=4, heads=4, embed_dim=128):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Parameter(torch.zeros(1, length, d))
        nn.init.normal_(self.pos, std=0.01)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.proj = nn.Linear(d, embed_dim, bias=False)

    def forward(self, ids, mask):
        """ids, mask: [B, L] -> hidden states [B, L, d], embedding [B, embed_dim]."""
        x = self.tok(ids) + self.pos
        # Float mask: padded keys get a large negative score (bool masks export poorly).
        pad = (1.0 - mask.float()) * -1e4
        for b in self.blocks:
            x = b(x, pad)
        h = self.ln(x)
        return h, self.proj(h[:, 0])


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.n1 = nn.GroupNorm(8, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.n2 = nn.GroupNorm(8, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.skip = nn.Conv2d(cin, cout, 1, stride) if (cin != cout or stride != 1) else None

    def forward(self, x):
        h = self.c1(F.silu(self.n1(x)))
        h = self.c2(F.silu(self.n2(h)))
        return h + (self.skip(x) if self.skip is not None else x)


class ImageEncoder(nn.Module):
    """A small ResNet: 32x32 RGB in [-1, 1] -> embedding."""

    def __init__(self, width=32, embed_dim=128):
        super().__init__()
        w = width
        self.stem = nn.Conv2d(3, w, 3, 2, 1)  # 16x16
        self.body = nn.Sequential(
            ResBlock(w, 2 * w),
            ResBlock(2 * w, 4 * w, 2),  # 8x8
            ResBlock(4 * w, 4 * w),
            ResBlock(4 * w, 4 * w, 2),  # 4x4
        )
        self.norm = nn.GroupNorm(8, 4 * w)
        self.proj = nn.Linear(4 * w, embed_dim, bias=False)

    def forward(self, x):
        h = F.silu(self.norm(self.body(self.stem(x))))
        return self.proj(h.mean(dim=(2, 3)))


class CLIP(nn.Module):
    def __init__(self, vocab_size, length, embed_dim=128):
        super().__init__()
        self.text = TextEncoder(vocab_size, length, embed_dim=embed_dim)
        self.image = ImageEncoder(embed_dim=embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def loss(self, images, ids, mask, same):
        """InfoNCE both ways; `same` [B, B] marks pairs showing the same emoji, which all
        count as matches (a batch may hold both vendors' drawings of one emoji)."""
        t = F.normalize(self.text(ids, mask)[1], dim=-1)
        i = F.normalize(self.image(images), dim=-1)
        logits = self.logit_scale.exp().clamp(max=100) * i @ t.T
        target = same.float() / same.float().sum(1, keepdim=True)
        return (
            F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target.T)
        ) / 2


# The two halves as the ONNX graphs ship them (clip/onnx/text_model.onnx and vision_model.onnx,
# Hugging Face's CLIPTextModel and CLIPVisionModel names): exported by export/graphs.py and read
# back by shipped.py.


class TextModel(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.text = clip.text

    def forward(self, input_ids, attention_mask):
        return self.text(input_ids, attention_mask)


class VisionModel(nn.Module):
    def __init__(self, clip):
        super().__init__()
        self.image = clip.image

    def forward(self, pixel_values):
        return self.image(pixel_values)
