"""Parts of `python -m benchmarks.load_faults`: fake LMS, processes, learners, checks."""
