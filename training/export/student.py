"""The distilled student joins the exported folder: its graph (unet_student.onnx), its golden
cases (golden_student.*) and its manifest entry. The teacher's files stay as they are."""
import torch

from .. import config, distill, shipped
from ..student import StudentAsNoise
from . import golden, graphs, manifest


def load_student(or_shipped=False):
    """The student's EMA weights with the int8 round trip that ships, and its checkpoint.
    `or_shipped`: where there is no checkpoint (a fresh clone), the shipped unet_student.onnx
    read back (the same weights, already int8) and no checkpoint (None), checked against its
    golden cases; what measuring needs, not exporting."""
    if or_shipped and not distill.ckpt_path("student").exists():
        _, wp, clip, _, _, _ = shipped.load(config.MODELS_OUT)
        student = shipped.load_student(config.MODELS_OUT)
        shipped.check_golden_student(config.MODELS_OUT, clip, student, wp)
        print("student: no checkpoint here, measuring the shipped unet_student.onnx", flush=True)
        return student, None
    student, state = distill.load_student("student")
    graphs.quantize_module(student.net)
    return student, state


def export_student():
    out = config.MODELS_OUT
    _, wp, clip, vae, teacher, scale = shipped.load(out)
    student, state = load_student()
    path = out / "unet_student.onnx"
    graphs.export_student(StudentAsNoise(student), path)
    golden.write_student(out, clip, vae, student, wp, scale)

    m = manifest.read(out)
    manifest.add_files(m, out, {"unet_student": "unet_student.onnx", "golden_student_index": "golden_student.json",
                                "golden_student_tensors": "golden_student.bin"})
    stages = distill.training_stages(state)
    if stages[-1]["paths"] is None or stages[-1]["path_minutes"] is None:
        # Checkpoints that did not record them: the paths in this machine's cache.
        shards = [torch.load(p) for p in distill.shard_dir().glob("shard-*.pt")]
        timed = [sh["seconds"] for sh in shards if "seconds" in sh]
        if not timed:  # shards written before they recorded their time: from the files' times
            times = sorted(f.stat().st_mtime for f in distill.shard_dir().glob("shard-*.pt"))
            timed = [b - a for a, b in zip(times, times[1:])]
        stages[-1]["paths"] = stages[-1]["paths"] or sum(len(sh["ids"]) for sh in shards)
        stages[-1]["path_minutes"] = round(sum(timed) / len(timed) * len(shards) / 60, 1) if timed else 0
    m.setdefault("models", {})["teacher"] = manifest.teacher_entry(teacher)
    m["models"]["student"] = {
        "unet": "unet_student", "steps": config.STUDENT_DEFAULT_STEPS, "guidance": config.DEFAULT_GUIDANCE,
        "channels": student.net.ch, "params": manifest.params(student), "distilled_from": "teacher",
        "guidance_input": True, "step_counts": list(config.STUDENT_STEP_COUNTS),
        "guidance_range": list(config.GUIDANCE_RANGE), "parameterization": student.param,
        "teacher_steps": config.TEACHER_STEPS, "paths": sum(st["paths"] or 0 for st in stages),
        "train_steps": sum(st["steps"] for st in stages), "batch": stages[0]["batch"],
        "minutes": round(sum(st["minutes"] for st in stages), 1),
        "path_minutes": round(sum(st["path_minutes"] or 0 for st in stages), 1), "training": stages,
        "checkpoint": state.get("name", "student"),
        "method": "guidance folded in (Meng et al. 2023) and v-prediction (Salimans & Ho 2022); each step "
                  "count's jumps learned from the teacher's guided 16-step DDIM paths, the step count an input",
    }
    manifest.write(out, m)
    print(f"export: student, {path.stat().st_size / 1e6:.2f} MB")
