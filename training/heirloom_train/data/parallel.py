"""Batches built in worker processes, for GPU runs.

On the 2-core CPU machine a batch is built in the main process (data/dataset.py says why). On a GPU
machine the synthetic degradations are the slow part: on an H100 machine one process built a
batch of 64 damaged detector patches in 0.9 s, far slower than the GPU trains on it, so worker
processes build them in parallel.

Workers are started with 'spawn' and each builds its own dataset from the task (decoding the photos
itself, a few seconds). 'fork' hung there: forked from a process that had already run cv2 and CUDA,
the workers never produced a batch (torch 2.11, OpenCV 5.0; it worked here with torch 1.13 / OpenCV
4.6), and the run sat idle for its whole budget. A worker that still yields nothing within
``timeout`` seconds raises instead of hanging.

Each worker's random generator is seeded from (seed, worker id), so a run is repeatable for a given
worker count, but not step-for-step equal to a run without workers, and a resumed run continues with
fresh streams rather than where the last one stopped.
"""
import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info


class _EndlessBatches(IterableDataset):
    def __init__(self, task, exclude, batch, seed):
        self.task, self.exclude, self.batch, self.seed = task, exclude, batch, seed

    def __iter__(self):
        info = get_worker_info()
        wid = info.id if info is not None else 0
        torch.set_num_threads(1)  # one core per worker: the workers are the parallelism
        cv2.setNumThreads(1)
        ds = self.task.dataset(self.exclude)
        ds.gen = np.random.default_rng([*self.seed, wid])
        while True:
            yield ds.batch(self.batch)


def parallel_batches(task, exclude, batch, workers, seed, pin=False, timeout=300):
    """An endless iterable of ``task.dataset(exclude).batch(batch)`` results from ``workers`` processes;
    ``seed``: a tuple of ints, extended by each worker's id."""
    return DataLoader(_EndlessBatches(task, exclude, batch, seed), batch_size=None, num_workers=workers,
                      pin_memory=pin, prefetch_factor=4, persistent_workers=True, timeout=timeout,
                      multiprocessing_context='spawn')
