"""Builds the emoji data set from the npm packages (never committed).

Images: emoji-datasource-google and -twitter, 64 px PNGs composited over white and
downsampled to IMAGE_SIZE. Captions: CLDR labels and keywords from emojibase-data.

Hold-out split: for HOLDOUT_FRACTION of the base emoji, one vendor's image (with its
skin-tone variants) is never trained on; the other vendor's image of the same emoji is.
"""
import json
import random

import numpy as np
from PIL import Image

from . import config


def _load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _annotations():
    """hexcode -> (label, tags, base hexcode), for base emoji and their skin tones."""
    out = {}
    for e in _load_json(config.NODE_MODULES / "emojibase-data" / "en" / "data.json"):
        tags = e.get("tags", [])
        out[e["hexcode"]] = (e["label"], tags, e["hexcode"])
        for s in e.get("skins", []):
            out[s["hexcode"]] = (s["label"], tags, e["hexcode"])
    return out


def _lookup(ann, *codes):
    for c in codes:
        if c and c in ann:
            return ann[c]
    return None


def _image(vendor, filename, size):
    path = config.NODE_MODULES / f"emoji-datasource-{vendor}" / "img" / vendor / "64" / filename
    rgba = Image.open(path).convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    return np.asarray(rgb if rgb.size == (size, size) else rgb.resize((size, size), Image.LANCZOS))


def build(limit=None, size=config.IMAGE_SIZE):
    """Returns a dict of arrays; `limit` keeps the first N base emoji (for smoke runs); `size`:
    pixels (64 keeps the sources as they are, for the 64 px decoder)."""
    ann = _annotations()
    source = _load_json(config.NODE_MODULES / "emoji-datasource-google" / "emoji.json")
    source = sorted(source, key=lambda e: e["sort_order"])
    if limit:
        source = source[:limit]

    rng = random.Random(config.SPLIT_SEED)
    bases = [e["unified"] for e in source]
    held = set(rng.sample(bases, max(1, round(len(bases) * config.HOLDOUT_FRACTION))))
    held_vendor = {b: rng.choice(config.VENDORS) for b in sorted(held)}

    images, base_ids, labels, tags, is_base, vendors, heldout = [], [], [], [], [], [], []
    base_labels = []
    for bi, e in enumerate(source):
        label, tag_list, _ = _lookup(ann, e["unified"], e.get("non_qualified"))
        base_labels.append(label.lower())
        variants = [(e, True)] + [(v, False) for v in (e.get("skin_variations") or {}).values()]
        for v, base in variants:
            vlabel = _lookup(ann, v["unified"], v.get("non_qualified"))[0]
            for vendor in config.VENDORS:
                if not v.get(f"has_img_{vendor}", True):
                    continue
                images.append(_image(vendor, v["image"], size))
                base_ids.append(bi)
                labels.append(vlabel.lower())
                tags.append([t.lower() for t in tag_list])
                is_base.append(base)
                vendors.append(vendor)
                heldout.append(held_vendor.get(e["unified"]) == vendor)
    return {
        "images": np.stack(images).astype(np.uint8),
        "base_id": np.array(base_ids, dtype=np.int32),
        "label": labels,
        "tags": tags,
        "is_base": np.array(is_base),
        "vendor": vendors,
        "heldout": np.array(heldout),
        "base_labels": base_labels,
    }


def load(limit=None, size=config.IMAGE_SIZE):
    """Builds once and caches the result under training/.cache."""
    name = f"data-{size}px" + (f"-limit{limit}" if limit else "") + ".npz"
    path = config.CACHE / name
    if not path.exists():
        config.CACHE.mkdir(parents=True, exist_ok=True)
        d = build(limit, size)
        np.savez_compressed(
            path,
            images=d["images"],
            base_id=d["base_id"],
            is_base=d["is_base"],
            heldout=d["heldout"],
            meta=np.array(
                json.dumps({k: d[k] for k in ("label", "tags", "vendor", "base_labels")})
            ),
        )
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    return {
        "images": z["images"],
        "base_id": z["base_id"],
        "is_base": z["is_base"],
        "heldout": z["heldout"],
        **meta,
    }


def caption(label, tags, rng):
    """One varied caption for an image: its label, its keywords, or a mix."""
    tags = [t for t in tags if t not in label.split()]
    k = rng.random()
    if k < 0.4 or not tags:
        return label
    picked = rng.sample(tags, min(len(tags), rng.randint(1, 3)))
    if k < 0.75:
        return label + " " + " ".join(picked)
    if k < 0.9:
        return " ".join(picked)
    return picked[0] + " " + label
