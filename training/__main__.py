"""One command for the whole model: `python3 -m training all` (see training/README.md)."""
import argparse
import time

import torch

from . import config, train


def main():
    p = argparse.ArgumentParser(prog="python3 -m training")
    p.add_argument("stage", choices=["data", "samples", "vae", "vae_decoder", "clip", "unet", "export", "eval",
                                     "trajectories", "student", "student_export", "student_card", "distill", "decoder64", "all"])
    p.add_argument("--minutes", type=float, default=None, help="wall-clock budget of a stage")
    p.add_argument("--smoke", action="store_true", help="a few steps on a handful of images")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--batch", type=int, default=None, help="student: batch size (default 32, smoke 8)")
    p.add_argument("--lr", type=float, default=1e-4, help="student: peak learning rate")
    p.add_argument("--param", choices=["v", "eps"], default="v", help="student: what its output predicts")
    p.add_argument("--no-step-input", action="store_true", help="student: one prediction for every step count")
    p.add_argument("--name", default="student", help="student: checkpoint name (for experiments)")
    p.add_argument("--fourier", type=float, default=1.0, help="decoder64: weight of the Fourier-spectrum loss")
    p.add_argument("--head", default="16x1", help="decoder64: channels x residual blocks of the 64 px head")
    p.add_argument("--init", default=None, help="student: start from this student checkpoint (a fine-tune)")
    p.add_argument("--step-weights", default=None,
                   help="student: how often 1, 2, 4, 8 steps are trained, e.g. 3,4,2,1 (the default)")
    a = p.parse_args()
    if a.device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    limit = 12 if a.smoke else None
    budget = {"vae": 40, "vae_decoder": 30, "clip": 25, "unet": 600, "trajectories": 30, "student": 120, "decoder64": 60}
    if a.smoke:
        budget = {"vae": 0.1, "vae_decoder": 0.05, "clip": 0.1, "unet": 0.1, "trajectories": 0.05, "student": 0.1, "decoder64": 0.05}

    # The student learns from the exported teacher, then joins its folder.
    student = ["trajectories", "student", "student_export"]
    teacher = ["data", "vae", "clip", "vae_decoder", "unet", "export", "eval"]
    stages = {"all": teacher + student, "distill": student}.get(a.stage, [a.stage])
    for s in stages:
        t0 = time.time()
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
        elif s == "trajectories":
            from . import distill

            distill.make_trajectories(minutes, a.smoke, limit, a.device, a.batch)
        elif s == "student":
            from . import distill

            weights = [float(w) for w in a.step_weights.split(",")] if a.step_weights else None
            distill.train_student(minutes, a.smoke, limit, a.device, a.batch, a.lr, a.param, not a.no_step_input, a.name,
                                  a.init, weights)
        elif s == "decoder64":
            from . import decoder64

            head = tuple(int(v) for v in a.head.split("x"))
            decoder64.train_decoder64(minutes, a.smoke, limit, a.fourier, a.name if a.name != "student" else "decoder64",
                                      head=head)
        elif s == "student_export":
            from . import evaluate, export

            export.export_student(a.smoke, limit)
            evaluate.evaluate_student(a.smoke, limit)
        elif s == "student_card":
            from . import evaluate

            evaluate.evaluate_student(a.smoke, limit, measure=False)  # after `npm run bench`
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
