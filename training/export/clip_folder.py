"""The CLIP folder in Hugging Face's layout: the tokenizer (a tokenizer.json, which the page's
tokenizer reads) and the configs naming the text and vision models (clip/onnx/*.onnx), so
Hugging Face's own tools can load it too."""
import json

from .. import config, tokenizer


def write(out, wp, clip):
    L, R = config.CONTEXT_LENGTH, config.IMAGE_SIZE
    tokenizer.save(wp, out / "clip/tokenizer.json", L)
    (out / "clip/tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": L,
        "unk_token": "[UNK]", "pad_token": "[PAD]", "cls_token": "[CLS]", "sep_token": "[SEP]",
        "clean_up_tokenization_spaces": True,
    }, indent=1))
    (out / "clip/config.json").write_text(json.dumps({
        "model_type": "clip", "architectures": ["CLIPModel"],
        "projection_dim": config.EMBED_DIM,
        "text_config": {"model_type": "clip_text_model", "vocab_size": len(wp.vocab),
                        "hidden_size": config.EMBED_DIM, "max_position_embeddings": L,
                        "num_hidden_layers": len(clip.text.blocks), "num_attention_heads": 4,
                        "pad_token_id": tokenizer.PAD, "bos_token_id": tokenizer.CLS,
                        "eos_token_id": tokenizer.SEP, "projection_dim": config.EMBED_DIM},
        "vision_config": {"model_type": "clip_vision_model", "image_size": R,
                          "num_channels": 3, "projection_dim": config.EMBED_DIM},
    }, indent=1))
    (out / "clip/preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": "CLIPImageProcessor", "do_resize": True,
        "size": {"shortest_edge": R}, "do_center_crop": True, "crop_size": {"height": R, "width": R},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
        "resample": 3,
    }, indent=1))
