"""Test configuration: hypothesis profiles.

Neither profile times examples: deadlines and the too-slow health check are timings, and
the machines that run this suite are shared and noisy ("ci" when CI is set, else "dev").
"""

import os

from hypothesis import HealthCheck, settings

_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("ci", print_blob=True, **_UNTIMED)
settings.register_profile("dev", **_UNTIMED)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
