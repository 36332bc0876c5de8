"""One command for the whole model: `python3 -m training all` (see training/README.md).

The hyperparameters and time budgets are in config.py; `--smoke` switches them to CI's
few-second run. Under torchrun the training stages run in every process (devices.py), the
others in process 0 alone.
"""
import argparse
import time

import torch

from . import config, devices, train

TRAINING = ("vae", "vae_decoder", "clip", "unet", "trajectories", "student", "decoder64")


def main():
    p = argparse.ArgumentParser(prog="python3 -m training")
    p.add_argument("stage", choices=["data", "samples", "vae", "vae_decoder", "clip", "unet", "export", "eval",
                                     "trajectories", "student", "student_export", "student_quality", "student_card", "distill",
                                     "decoder64", "card",
                                     "golden_samplers", "sampler_quality", "all"])
    p.add_argument("--minutes", type=float, default=None, help="wall-clock budget of a stage")
    p.add_argument("--smoke", action="store_true", help="a few steps on a handful of images")
    p.add_argument("--threads", type=int, default=config.THREADS)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                   help="where the training stages run (under torchrun: cuda is each process's own GPU)")
    p.add_argument("--batch", type=int, default=None,
                   help=f"trajectories: paths per shard (default {config.TRAJECTORY_BATCH}); student: batch size "
                        f"per process (default {config.STUDENT_BATCH})")
    p.add_argument("--lr", type=float, default=None,
                   help=f"student: peak learning rate (default {config.STUDENT_LR:g})")
    p.add_argument("--param", choices=["v", "eps"], default="v", help="student: what its output predicts")
    p.add_argument("--no-step-input", action="store_true", help="student: one prediction for every step count")
    p.add_argument("--name", default=None,
                   help="a training stage's checkpoint name (default: the stage's), to keep an experiment apart")
    p.add_argument("--fourier", type=float, default=None,
                   help=f"decoder64: weight of the Fourier-spectrum loss (default {config.FOURIER_WEIGHT:g})")
    p.add_argument("--head", default=None,
                   help="decoder64: channels x residual blocks of the 64 px head (default {}x{})".format(*config.HEAD))
    p.add_argument("--init", default=None, help="student: start from this student checkpoint (a fine-tune)")
    p.add_argument("--step-weights", default=None,
                   help="student: how often 1, 2, 4, 8 steps are trained, e.g. 3,4,2,1 (the default)")
    a = p.parse_args()
    if a.smoke:
        config.smoke()
    devices.setup(a.device)
    if devices.DEVICE.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    torch.set_num_threads(a.threads)
    torch.manual_seed(config.SEED + devices.RANK)  # each process draws its own batches

    # The student learns from the exported teacher, then joins its folder.
    student = ["trajectories", "student", "student_export"]
    teacher = ["data", "vae", "clip", "vae_decoder", "unet", "export", "eval"]
    stages = {"all": teacher + student, "distill": student}.get(a.stage, [a.stage])
    for s in stages:
        t0 = time.time()
        one = len(stages) == 1
        minutes = a.minutes if a.minutes is not None and one else config.BUDGET_MINUTES.get(s)
        name = a.name if a.name and one else s
        if s in TRAINING:
            train_stage(s, minutes, name, a)
        elif devices.is_main():
            other_stage(s)
        devices.barrier()
        if devices.is_main():
            print(f"{s}: {time.time() - t0:.0f} s", flush=True)
    config.CACHE.mkdir(exist_ok=True)
    devices.teardown()


def train_stage(s, minutes, name, a):
    if s == "vae":
        train.train_vae(minutes, name)
    elif s == "vae_decoder":
        train.train_vae_decoder(minutes, name)
    elif s == "clip":
        train.train_clip(minutes, name)
    elif s == "unet":
        train.train_unet(minutes, name)
    elif s == "trajectories":
        from . import distill

        distill.make_trajectories(minutes, a.batch)
    elif s == "student":
        from . import distill

        weights = [float(w) for w in a.step_weights.split(",")] if a.step_weights else None
        distill.train_student(minutes, a.batch, a.lr, a.param, not a.no_step_input, name, a.init, weights)
    elif s == "decoder64":  # an experiment that did not ship (experiments/decoder64.py)
        from .experiments import decoder64

        head = tuple(int(v) for v in a.head.split("x")) if a.head else None
        decoder64.train_decoder64(minutes, a.fourier, name, head=head)


def other_stage(s):
    if s == "data":
        from . import data

        d = data.load(config.LIMIT)
        print(f"data: {len(d['images'])} images, {int(d['heldout'].sum())} held out")
    elif s == "samples":
        from . import samples

        samples.write_samples()
    elif s == "student_export":
        from . import evaluate
        from .export import student

        student.export_student()
        evaluate.evaluate_student()
    elif s == "student_quality":
        from . import evaluate

        evaluate.evaluate_student()  # the grid measured again (the checkpoint, or the shipped graph)
    elif s == "student_card":
        from . import evaluate

        evaluate.evaluate_student(measure=False)  # after `npm run bench`
    elif s == "card":
        from . import evaluate

        # The whole card written again from what was measured (metrics.json, bench.json, the
        # manifest), with no measuring and no training checkpoints; the 64 px decoder's section
        # stays as its stage wrote it.
        evaluate.evaluate_all(measure=False)
        evaluate.evaluate_student(measure=False)
        evaluate.evaluate_samplers(measure=False)
    elif s == "export":
        from .export import teacher

        teacher.export_all()
    elif s == "eval":
        from . import evaluate

        evaluate.evaluate_all()
    elif s == "sampler_quality":
        from . import evaluate

        evaluate.evaluate_samplers()
    elif s == "golden_samplers":
        from .export import teacher

        teacher.export_samplers()


if __name__ == "__main__":
    main()
