"""One command for the whole model: `python3 -m training all` (see training/README.md)."""
import argparse
import time

import torch

from . import config, train


def main():
    p = argparse.ArgumentParser(prog="python3 -m training")
    p.add_argument("stage", choices=["data", "samples", "vae", "vae_decoder", "clip", "unet", "export", "eval",
                                     "student", "halve", "student_export", "distill", "all"])
    p.add_argument("--minutes", type=float, default=None, help="wall-clock budget of a stage")
    p.add_argument("--smoke", action="store_true", help="a few steps on a handful of images")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=8, help="halve: the student's number of steps")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    limit = 12 if a.smoke else None
    budget = {"vae": 40, "vae_decoder": 30, "clip": 25, "unet": 600, "student": 115, "halve": 75}
    if a.smoke:
        budget = {"vae": 0.1, "vae_decoder": 0.05, "clip": 0.1, "unet": 0.1, "student": 0.1, "halve": 0.05}
    from .distill import ROUNDS

    # The student (issue 6) learns from the exported teacher, then joins its folder.
    student = ["student", *(("halve", s) for s in ROUNDS), "student_export"]
    teacher = ["data", "vae", "clip", "vae_decoder", "unet", "export", "eval"]
    stages = {"all": teacher + student, "distill": student}.get(a.stage, [a.stage])
    for s in stages:
        t0 = time.time()
        s, steps = s if isinstance(s, tuple) else (s, a.steps)
        minutes = a.minutes if a.minutes is not None and len(stages) == 1 else budget.get(s)
        if s == "data":
            from . import data

            d = data.load(limit)
            print(f"data: {len(d['images'])} images, {int(d['heldout'].sum())} held out")
        elif s == "samples":
            from . import samples

            samples.write_samples()
        elif s == "vae":
            train.train_vae(minutes, a.smoke, limit)
        elif s == "vae_decoder":
            train.train_vae_decoder(minutes, a.smoke, limit)
        elif s == "clip":
            train.train_clip(minutes, a.smoke, limit)
        elif s == "unet":
            train.train_unet(minutes, a.smoke, limit)
        elif s == "student":
            from . import distill

            distill.train_student(minutes, a.smoke, limit)
        elif s == "halve":
            from . import distill

            distill.train_halving(steps, minutes, a.smoke, limit)
        elif s == "student_export":
            from . import evaluate, export

            export.export_student(a.smoke, limit)
            evaluate.evaluate_student(a.smoke, limit)
        elif s == "export":
            from . import export

            export.export_all(a.smoke, limit)
        elif s == "eval":
            from . import evaluate

            evaluate.evaluate_all(a.smoke, limit)
        print(f"{s}: {time.time() - t0:.0f} s", flush=True)
    config.CACHE.mkdir(exist_ok=True)


if __name__ == "__main__":
    main()
