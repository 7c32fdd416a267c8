"""Real-name identity verification."""

from .environment import env

IDENTITY_PROVIDER = env.str("IDENTITY_PROVIDER", default="accounts.identity.providers.SandboxProvider")
