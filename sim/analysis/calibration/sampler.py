"""A pyabc sampler whose result does not depend on which worker finishes first.

pyabc's multicore samplers accept particles in the order they finish, so two runs of one
calibration give different populations. Here every generation is ``n`` tasks, each with
its own seed derived from the fit's seed and the generation; a task samples until it
accepts one particle, and the results are gathered in task order. The same command then
gives the same posterior, also after a resume, on any number of workers, on this machine
or on a dask cluster (engine.py).
"""

from __future__ import annotations

import functools
import multiprocessing
import random

import numpy as np
import pyabc


class SeededMappingSampler(pyabc.sampler.MappingSampler):
    """Mapping sampler with one seed per task: ``SeedSequence([seed, generation]).spawn(n)``.

    With a dask ``client`` the tasks go to its workers (``client.map``, gathered in task
    order); else ``workers`` > 1 maps over a pool of processes from a fork server (ordered
    ``map``; no fork of a threaded process) and 1 runs in process.
    """

    def __init__(self, workers: int, seed: int, client=None):
        self.workers, self.seed, self.client = workers, seed, client
        self._pool = None
        super().__init__(map_=self._map)

    def _map(self, function, tasks):
        if self.client is not None:
            # pure=False: a task is never answered from another's cached result
            return self.client.gather(self.client.map(function, tasks, pure=False))
        if self.workers == 1:
            return list(map(function, tasks))
        if self._pool is None:
            self._pool = multiprocessing.get_context("forkserver").Pool(self.workers)
        return self._pool.map(function, tasks, chunksize=1)

    def close(self) -> None:
        """End the worker pool (also done when the process exits)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def map_function(self, simulate_one, task_seed):
        # pyabc's own version reseeds from the OS; this one takes the task's seed.
        np.random.seed(int(task_seed))
        random.seed(int(task_seed))
        simulate_one = self.unpickle(simulate_one)
        sample, nr_simulations = self._create_empty_sample(), 0
        while True:
            new_sim = simulate_one()
            nr_simulations += 1
            sample.append(new_sim)
            if new_sim.accepted:
                return sample, nr_simulations

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        task = functools.partial(self.map_function, self.pickle(simulate_one))
        results = list(self.map_(task, task_seeds(self.seed, t, n)))
        self.nr_evaluations_ = sum(count for _, count in results)
        sample = self._create_empty_sample()
        for part, _ in results:
            sample += part
        return sample


def task_seeds(seed: int, generation: int, n: int) -> list[int]:
    """``n`` independent 32-bit seeds for one generation (pyabc numbers the first -1)."""
    children = np.random.SeedSequence([seed, generation + 1]).spawn(n)
    return [int(c.generate_state(1)[0]) for c in children]
