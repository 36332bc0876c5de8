"""Where training runs: one device, or several processes started by torchrun.

`python3 -m training STAGE --device cuda` runs a stage on one device. Under torchrun
(`torchrun --standalone --nproc_per_node=N -m training STAGE ...`) each process joins a
process group (nccl on CUDA, gloo on the CPU), takes GPU number LOCAL_RANK, and the model is
wrapped in DistributedDataParallel: every process draws its own batch of `--batch` examples
(the global batch is N times that), the gradients are averaged, and process 0 alone logs and
writes checkpoints. One process without torchrun is exactly the single-device run.
"""
import contextlib
import os

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

DEVICE = "cpu"
RANK, WORLD = 0, 1  # this process and how many there are


def setup(device):
    """Called once by __main__: the device, and the process group when torchrun started us."""
    global DEVICE, RANK, WORLD
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:  # set by torchrun
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
        RANK, WORLD = dist.get_rank(), dist.get_world_size()
        if device.startswith("cuda"):
            device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
            torch.cuda.set_device(device)
    DEVICE = device


def teardown():
    if dist.is_initialized():
        dist.destroy_process_group()


def is_main():
    return RANK == 0


def barrier():
    if WORLD > 1:
        dist.barrier()


@contextlib.contextmanager
def main_first():
    """Process 0 runs the block first (it writes cached files: the data set, the tokenizer),
    then the others, who find them made."""
    if not is_main():
        barrier()
    yield
    if is_main():
        barrier()


def wrap(model):
    """The model as the training step calls it: DistributedDataParallel under torchrun (it
    averages the gradients of what runs through its forward), else the model itself."""
    if WORLD == 1:
        return model
    return DistributedDataParallel(model, device_ids=[DEVICE] if DEVICE.startswith("cuda") else None)


def agree(value):
    """Process 0's value of a float on every process (the clock that decides the learning
    rate and when a stage ends, so that all processes step together)."""
    if WORLD == 1:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=DEVICE)
    dist.broadcast(t, 0)
    return t.item()


def check_replicas(model):
    """Every process ends a stage with the same weights (what DistributedDataParallel promises)."""
    if WORLD == 1:
        return
    total = sum(p.detach().double().sum() for p in model.parameters()).reshape(1).to(DEVICE)
    lo, hi = total.clone(), total.clone()
    dist.all_reduce(lo, op=dist.ReduceOp.MIN)
    dist.all_reduce(hi, op=dist.ReduceOp.MAX)
    if lo.item() != hi.item():
        raise RuntimeError(f"the processes' weights differ: {lo.item()} vs {hi.item()}")
