"""Long work off the request: a job table, progress, and a runner.

The default runner is a thread in the worker that took the request (fine on one
machine); every state lives in the database, so any worker can show progress
and serve the result.
"""
