"""Hydra plugin: Slurm launcher that reports a job failing on the cluster and goes on.

Hydra's submitit launcher stops the whole sweep at the first job that was cancelled,
ran past its time limit or died on its node. This one (``hydra/launcher=slurm``)
names each such job with its Slurm state and log, lets the sweep collect and report
the complete jobs, and exits non-zero at the end; re-running the same command redoes
only the failed jobs.
"""
