"""Events one layer announces and a layer above acts on (lti never imports them)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by POST /lti/launch once a launch is recorded and committed, with
# `launch=` its LaunchContext: a trainer's first launch fetches the roster.
launch_recorded = _signals.signal("launch-recorded")

# Sent, before the commit, by every change to a learner's standing (a module
# passed or improved, a day confirmed, declined or reopened, a certificate
# issued, revoked or re-issued, a launch), with `person_id=` and, when only one
# LMS course is concerned, `context_id=`. standing.py (above learning and
# shadowing) queues the newest scores for the learner's gradebook columns in
# the same transaction.
standing_changed = _signals.signal("standing-changed")

# Sent, before the commit, when a link gets (another) course or module, or its
# gradebook column, with `link_id=`: every learner of its LMS course gets the
# score for it (deep linking, custom parameters, the trainer's choice).
link_bound = _signals.signal("link-bound")
