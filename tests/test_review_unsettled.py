"""The supplier review asks for a leaver's extra churn only for the clients a leaver unsettled.

``ClientService.review_suppliers`` skips ``Loyalty.extra_churn`` for every
client not in ``loyalty.unsettled``; that is exact only while the extra
churn of any other client is 0 and asking for it changes nothing. These
tests pin that against the rule itself, at a week with unsettled clients.
"""

from __future__ import annotations

from orgmodel.model.clients import Stage
from orgmodel.model.model import SalesOrgModel


def _model_with_unsettled_clients() -> SalesOrgModel:
    model = SalesOrgModel(rng=3, structure="full_cycle", salespeople=6, market_size=400, years=6)
    while not model.loyalty.unsettled:
        model.run_until(int(model.time) + 1)
        assert model.running, "no leaver unsettled a client in six years"
    return model


def test_the_shortcut_gives_every_clients_extra_churn_as_the_rule_does():
    model = _model_with_unsettled_clients()
    loyalty = model.loyalty
    clients = [c for c in model.companies if c.stage == Stage.SERIAL]
    assert any(c.uid not in loyalty.unsettled for c in clients)
    before = dict(loyalty.unsettled)
    shortcut = [loyalty.extra_churn(c) if c.uid in loyalty.unsettled else 0.0 for c in clients]
    after_shortcut = dict(loyalty.unsettled)
    loyalty.unsettled.clear()
    loyalty.unsettled.update(before)
    rule = [loyalty.extra_churn(c) for c in clients]
    assert shortcut == rule
    assert any(x > 0.0 for x in rule)
    assert after_shortcut == loyalty.unsettled  # the same expired entries dropped
