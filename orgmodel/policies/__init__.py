"""Policies: organisational structures, incentive schemes and management responses.

Each policy is a small class in its own module, registered by name. The
model asks its structure who owns a client and when it changes hands, and its
incentive scheme what a person is paid and what an outcome is worth to them;
the management response changes headcount and targets on its own schedule
through the model's hiring, letting go and the scheme's targets. Nothing else
in the model knows which policy is in force. A scenario can also
name a user's own class as ``"file.py:ClassName"`` or ``"package.module:ClassName"``
(see :mod:`orgmodel.policies.registry`).
"""

from orgmodel.policies import incentives, responses, structures

__all__ = ["incentives", "responses", "structures"]
