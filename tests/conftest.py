"""Suite-wide test settings.

Hypothesis deadlines are off: speed is measured in ``benchmarks/``, not asserted in
unit tests, and a per-example deadline only makes a loaded CI machine flaky. Under CI
(``CI`` set) examples are derandomized so that a red run is reproducible.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
