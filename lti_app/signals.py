"""Events one layer announces and a layer above acts on (lti never imports them)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent by POST /lti/launch once a launch is recorded and committed, with
# `launch=` its LaunchContext: a trainer's first launch fetches the roster.
launch_recorded = _signals.signal("launch-recorded")
