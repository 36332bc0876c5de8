"""The sample images the site's figures start from: a few emoji, as raw RGB bytes.

Written to static/samples/ (samples.rgb: N x H x W x 3 uint8, readable without an image
decoder at build time) with their labels, so the CLIP, VAE and noise chapters have real
images to show before (and without) the reader's own. Noto Emoji (Apache-2.0), see /credits.
"""
import json

import numpy as np

from . import config, data

LABELS = [
    "grinning cat", "red heart", "pizza", "sun", "dog face", "ghost", "star", "red apple",
    "rocket", "evergreen tree", "fish", "thumbs up", "crescent moon", "fire", "rainbow", "bicycle",
]
VENDOR = "google"


def write_samples(out=config.ROOT / "static" / "samples"):
    d = data.load()
    picked = []
    for label in LABELS:
        i = next(
            i for i, l in enumerate(d["label"])
            if l == label and d["is_base"][i] and d["vendor"][i] == VENDOR
        )
        picked.append(i)
    out.mkdir(parents=True, exist_ok=True)
    np.stack([d["images"][i] for i in picked]).astype(np.uint8).tofile(out / "samples.rgb")
    meta = {
        "size": config.IMAGE_SIZE,
        "source": "Noto Emoji (Apache-2.0), via emoji-datasource-google",
        "images": [
            {"label": d["label"][i], "heldout": bool(d["heldout"][i])} for i in picked
        ],
    }
    with open(out / "samples.json", "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"samples: {len(picked)} images -> {out}")
