"""Timing scripts that compare Kennisdeling with bare baselines in the same run."""
