"""Test configuration: hypothesis profiles ("ci" without deadlines when CI is set, else "dev")."""

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")
