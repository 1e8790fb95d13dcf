"""Who cardf is to a remote store: credentials from the environment, never from the command line.

Kept apart from the HTTP client so that the one place secrets enter cardf is small enough to
read at a glance; `Credentials` hides its values from repr, and `scrubber()` masks them in
whatever a server sends back (see scrub.py).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import UsageError
from .scrub import Scrubber

ENV_USER = "CARDF_USER"
ENV_PASSWORD = "CARDF_PASSWORD"
ENV_TOKEN = "CARDF_TOKEN"

__all__ = ["ENV_PASSWORD", "ENV_TOKEN", "ENV_USER", "Credentials", "credentials_from_env"]


@dataclass(frozen=True)
class Credentials:
    """Who we are to the store; never printed (repr hides the values)."""

    scheme: str  # basic, digest or bearer
    user: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    def header(self) -> str | None:
        """The preemptive Authorization header; digest waits for the server's challenge."""
        if self.scheme == "bearer":
            return f"Bearer {self.secret}"
        if self.scheme == "basic":
            return "Basic " + base64.b64encode(f"{self.user}:{self.secret}".encode()).decode("ascii")
        return None

    def scrubber(self) -> Scrubber:
        if self.scheme == "bearer":
            return Scrubber(token=self.secret)
        return Scrubber(password=self.secret, user=self.user)


def credentials_from_env(environ: Mapping[str, str] | None = None, auth: str = "basic") -> Credentials | None:
    """CARDF_TOKEN for a bearer token, or CARDF_USER and CARDF_PASSWORD for basic/digest."""
    env = os.environ if environ is None else environ
    token, user, password = env.get(ENV_TOKEN), env.get(ENV_USER), env.get(ENV_PASSWORD)
    if token and (user or password):
        raise UsageError(f"both {ENV_TOKEN} and {ENV_USER}/{ENV_PASSWORD} are set; set only one kind of credentials")
    for name, value in ((ENV_TOKEN, token), (ENV_USER, user), (ENV_PASSWORD, password)):
        if value and not (value.isprintable() and (value.isascii() or name != ENV_TOKEN)):
            kind = "printable ASCII" if name == ENV_TOKEN else "printable characters"
            raise UsageError(f"{name} must hold {kind} only (no line breaks or control characters)")
    if token:
        if auth == "digest":
            raise UsageError(f"--auth digest needs {ENV_USER} and {ENV_PASSWORD}, not {ENV_TOKEN}")
        return Credentials("bearer", secret=token)
    if user and password is None:
        raise UsageError(f"{ENV_USER} is set but {ENV_PASSWORD} is not; set both")
    if password and not user:
        raise UsageError(f"{ENV_PASSWORD} is set but {ENV_USER} is not; set both")
    if user:
        return Credentials(auth, user=user, secret=password or "")
    return None
