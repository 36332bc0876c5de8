"""The teacher's folder: its graphs, CLIP folder, golden cases and manifest."""
import shutil

from .. import config, schedule, shipped, train
from ..unet import UNet
from . import clip_folder, golden, graphs, manifest
from .graphs import quantize_module


def load_models():
    """The trained parts with the int8 round-trip weights that ship."""
    d, wp, vae, clip = train.load_frozen()
    state = train.load(train.ckpt_path("unet"))
    unet = UNet(ctx_dim=config.EMBED_DIM)
    unet.load_state_dict(state["ema"])
    unet.eval()
    for m in (vae, clip, unet):
        quantize_module(m)
    return d, wp, vae, clip, unet, state["scale"], state


def export_all():
    d, wp, vae, clip, unet, scale, ustate = load_models()
    out = config.MODELS_OUT
    if out.exists():
        shutil.rmtree(out)
    (out / "clip" / "onnx").mkdir(parents=True)
    graphs.export_teacher(out, clip, vae, unet)
    clip_folder.write(out, wp, clip)
    golden.write_teacher(out, d, clip, vae, unet, wp, scale)
    golden.write_samplers(out, clip, vae, unet, wp, scale)
    m = manifest.teacher_manifest(wp, scale, ustate, unet)
    manifest.add_files(m, out, {
        "text_encoder": "clip/onnx/text_model.onnx",
        "image_encoder": "clip/onnx/vision_model.onnx",
        "vae_encoder": "vae_encoder.onnx",
        "vae_decoder": "vae_decoder.onnx",
        "unet": "unet.onnx",
        "tokenizer": "clip/tokenizer.json",
        "tokenizer_config": "clip/tokenizer_config.json",
        "clip_config": "clip/config.json",
        "preprocessor_config": "clip/preprocessor_config.json",
        "golden_index": "golden.json",
        "golden_tensors": "golden.bin",
        **SAMPLER_FILES,
    })
    manifest.write(out, m)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"export: {total / 1e6:.2f} MB in {out}")


SAMPLER_FILES = {"golden_samplers_index": "golden_samplers.json", "golden_samplers_tensors": "golden_samplers.bin"}


def export_samplers():
    """Adds (or redoes) only the samplers' golden cases in an exported folder, from its own
    files (shipped.load): the rest of the folder stays as it is."""
    out = config.MODELS_OUT
    _, wp, clip, vae, unet, scale = shipped.load(out)
    golden.write_samplers(out, clip, vae, unet, wp, scale)
    m = manifest.read(out)
    m["sampler"]["available"] = list(schedule.SAMPLERS)
    manifest.add_files(m, out, SAMPLER_FILES)
    manifest.write(out, m)
    print(f"export: samplers' golden cases in {out}")
