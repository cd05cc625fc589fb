"""Policies: organisational structures and incentive schemes.

Each policy is a small class in its own module, registered by name. The
model asks its structure who owns a client and when it changes hands, and its
incentive scheme what a person is paid and what an outcome is worth to them;
nothing else in the model knows which policy is in force. A scenario can also
name a user's own class as ``"file.py:ClassName"`` or ``"package.module:ClassName"``
(see :mod:`orgmodel.policies.registry`).
"""

from orgmodel.policies import incentives, structures

__all__ = ["incentives", "structures"]
