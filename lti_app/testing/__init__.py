"""Row factories for the tests and the benchmarks, one module per feature.

They write rows directly (fast, any stage at once); the demo's seeding goes
through the features' services instead. Nothing in production imports this.
"""

from __future__ import annotations

from .issuing import make_certificate
from .learning import library_basics, make_progress, pass_modules
from .people import make_context, make_learner, make_platform
from .rows import bulk
from .shadowing import make_shadow_day
from .stages import STAGES, make_learner_at, seed_every_stage, seed_learners

__all__ = [
    "STAGES", "bulk", "library_basics", "make_certificate", "make_context",
    "make_learner", "make_learner_at", "make_platform", "make_progress",
    "make_shadow_day", "pass_modules", "seed_every_stage", "seed_learners",
]
