"""The time-allocation rule: how a person splits the hours they are free to choose.

What cannot wait (handover visits, implementation support, service work)
is done first. The rest goes to prospecting, pipeline deals, cross-sell
projects and relationship building in proportion to each activity's
*perceived pay per hour* raised to ``allocation_sharpness``, each capped by
how many hours it can usefully absorb this week (water-filling).

Perceived pay per hour = chance the hour's work leads to an outcome x the pay
the incentive scheme attaches to that outcome, discounted hyperbolically by
how long the pay takes to arrive, 1 / (1 + k t) (Chung, Steenburgh & Sudhir
2014: reps discount the future steeply), counted over ``pay_horizon_weeks``.
So the rule answers the three questions a salesperson asks: what pays, how
soon, how surely. The scheme enters only through the rates it reports
(:class:`orgmodel.policies.incentives.base.IncentiveScheme`).

When pay sends no signal at all (every value zero, e.g. a hunter under a
scheme that pays only owners), people do the job their role describes:
hunters hunt, account managers farm.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from orgmodel.model.activities import (
    CROSS_SELL,
    DISCRETIONARY,
    IDLE,
    MAX_CROSS_SELL_PROJECTS,
    MAX_DEAL_HOURS_PER_WEEK,
    MAX_PROJECT_HOURS_PER_WEEK,
    N_ACTIVITIES,
    PIPELINE,
    PROSPECTING,
    RELATIONSHIP,
    RELATIONSHIP_CLIENTS_PER_WEEK,
    RELATIONSHIP_HOURS_PER_CLIENT,
)
from orgmodel.model.clients import ClientCompany, Stage

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel
    from orgmodel.model.pipeline import Deal
    from orgmodel.model.staff import Staff

WS_MAX = 520  # weeks-since-win beyond which expected rates no longer change (tables stop here)


class Expectations:
    """Pay-expectation tables computed once per run from the scheme and the scenario.

    ``won[keeps][d]``: discounted pay per unit of weekly revenue from a client
    won ``d`` weeks from now. ``owned[originated][ws]``: the same for revenue
    of a client already owned, won ``ws`` weeks ago, starting now;
    ``owned_later`` starts after a cross-sell project's minimum duration.
    """

    def __init__(self, model: SalesOrgModel) -> None:
        cfg = model.cfg
        scheme = model.scheme
        horizon = cfg.pay_horizon_weeks
        t = np.arange(horizon, dtype=float)
        self.discount = 1.0 / (1.0 + cfg.discount_per_week * t)
        self.horizon = horizon
        self.won = {}
        for keeps in (True, False):
            rates = scheme.rate_on_won_client(t, keeps)
            # pay at week t from a win at d: rate(t - d) * D(t), for t in [d, horizon)
            self.won[keeps] = np.array([float(np.dot(rates[: horizon - d], self.discount[d:])) for d in range(horizon)] + [0.0])
        self.bonus = scheme.bonus_per_win
        d_xs = min(cfg.cross_sell_min_weeks, horizon - 1)
        self.owned = {}
        self.owned_later = {}
        ws = np.arange(WS_MAX + 1, dtype=float)
        for originated in (True, False):
            grid = scheme.rate_on_owned_client(ws[:, None] + t[None, :], originated)
            self.owned[originated] = grid @ self.discount
            later = np.zeros_like(self.discount)
            later[d_xs:] = self.discount[d_xs:]
            self.owned_later[originated] = grid @ later
        #: owned and owned_later as plain lists (read per person and cross-sell candidate every week; indexing a
        #: list is cheaper, and its items are the very floats ``ndarray.item`` gives)
        self.owned_lists = {k: v.tolist() for k, v in self.owned.items()}
        self.owned_later_lists = {k: v.tolist() for k, v in self.owned_later.items()}
        self.d_xs = d_xs
        mean_bc = (cfg.buying_centre_min + cfg.buying_centre_max) / 2.0
        self.p_close = support(cfg, 0.5) ** mean_bc  # CEB-typical close chance at middling relationships
        self.new_client_weekly = model.mean_base_value / 52.0
        #: value_of_win(keeps, d) for every delay d up to the horizon, as Python floats (the same doubles: read for
        #: every open deal every week, where numpy scalars would make each product a numpy operation)
        self.win_values = {keeps: [float(self.value_of_win(keeps, d)) for d in range(horizon + 1)] for keeps in (True, False)}

    def value_of_win(self, keeps: bool, delay: int) -> float:
        """Perceived pay from winning an average new client ``delay`` weeks from now."""
        d = min(max(delay, 0), self.horizon)
        bonus = self.bonus * (self.discount[d] if d < self.horizon else 0.0)
        return self.new_client_weekly * self.won[keeps][d] + bonus

    def value_of_owned(self, staff: Staff, company: ClientCompany, weekly: float, later: bool) -> float:
        """Perceived pay from ``weekly`` revenue of an owned client over the horizon."""
        ws = min(int(staff.model.time) - company.won_week, WS_MAX)
        table = self.owned_later if later else self.owned
        return weekly * float(table[company.originator is staff][max(ws, 0)])


def support(cfg, strength: float) -> float:
    """Chance one buying-centre member backs a purchase at a relationship strength."""
    lo = cfg.support_at_no_relationship
    return lo + (cfg.support_at_full_relationship - lo) * strength


def stage_hours(staff: Staff, stage: Stage) -> float:
    """Hours a stage needs from this person (skill and ramp-up shorten it)."""
    return staff.model.pipeline.stage_hours[stage] / (staff.hunting_skill * staff.productivity)


SERIAL = Stage.SERIAL
_COVERAGE = attrgetter("coverage")  # the weakest client first (a C-level getter)


class HuntingOutlook:
    """What a person's plan reads about pipeline work that changes only with their skill, the settings or the scheme.

    The hours each stage needs from the person (:func:`stage_hours`), the
    constant parts of :func:`_deal_outlook` per stage, and the perceived pay
    per hour of prospecting are the same week after week until the person's
    hunting skill or ramp-up moves, an intervention brings new settings and
    expectations, or who keeps the clients changes; the week asks for them
    for every open deal. Built by :func:`outlook_of`, which rebuilds it when
    any of these inputs differs.
    """

    __slots__ = ("cfg", "denominator", "expectations", "keeps", "prospecting", "stage_hours", "stages", "standard", "win_values")

    def __init__(self, staff: Staff, denominator: float) -> None:
        model = staff.model
        cfg = model.cfg
        ex = model.expectations
        self.cfg = cfg
        self.denominator = denominator
        self.standard = model.pipeline.stage_hours
        self.expectations = ex
        self.keeps = staff.keeps_clients
        #: :func:`stage_hours` of every stage
        self.stage_hours = tuple([h / denominator for h in self.standard])
        #: per deal stage, the constant parts of :func:`_deal_outlook`: ``(chance, hours added to the
        #: stage's own, minimum weeks of the stage, weeks after it)``; indexed by stage (the PROPOSAL
        #: entry stands for any other stage, as in :func:`_deal_outlook`: it adds no hours to its own)
        q, p, c = cfg.lead_qualify_rate, cfg.proposal_rate, ex.p_close
        hq, hp = self.stage_hours[Stage.QUALIFIED], self.stage_hours[Stage.PROPOSAL]
        impl = cfg.implementation_weeks
        proposal = (c, 0.0, cfg.proposal_min_weeks, impl)
        lead = (q * p * c, q * (hq + p * hp), cfg.lead_min_weeks, cfg.qualified_min_weeks + cfg.proposal_min_weeks + impl)
        qualified = (p * c, p * hp, cfg.qualified_min_weeks, cfg.proposal_min_weeks + impl)
        self.stages = (proposal, lead, qualified, proposal)
        #: :meth:`Expectations.value_of_win` for every delay up to the horizon, under the person's keeping rule
        self.win_values = ex.win_values[self.keeps]
        # prospecting: a new lead's outlook from its first week, plus the hours of finding it
        chance, hours, weeks = _deal_outlook(self, Stage.LEAD, self.stage_hours[Stage.LEAD], 0)
        per_lead = cfg.hours_per_lead / denominator
        #: perceived pay per hour of prospecting (a Python float, as every value the plan compares and shares)
        self.prospecting = float(chance * ex.value_of_win(self.keeps, weeks + 1) / (per_lead + hours))


def outlook_of(staff: Staff) -> HuntingOutlook:
    """The person's :class:`HuntingOutlook` for this week (kept on the person while its inputs stay the same)."""
    denominator = staff.hunting_skill * staff.productivity
    model = staff.model
    outlook = staff.hunting_outlook
    if (
        outlook is None
        or outlook.denominator != denominator
        or outlook.cfg is not model.cfg
        or outlook.standard is not model.pipeline.stage_hours
        or outlook.expectations is not model.expectations
        or outlook.keeps != staff.keeps_clients
    ):
        outlook = staff.hunting_outlook = HuntingOutlook(staff, denominator)
    return outlook


def stage_hours_table(staff: Staff) -> tuple[float, ...]:
    """:func:`stage_hours` of every stage, for the week's ``staff.stage_hours_now``.

    Skill and ramp-up do not change within a person's week, and the
    pipeline's work asks for these hours for every deal several times a week.
    """
    return outlook_of(staff).stage_hours


def deal_hours_left(staff: Staff, deal: Deal) -> float:
    """Hours still needed in the deal's current stage (during the person's week)."""
    left = staff.stage_hours_now[deal.stage] - deal.hours
    return left if left > 0.0 else 0.0


def _deal_outlook(outlook: HuntingOutlook, deal_stage: Stage, hours_left: float, weeks_in_stage: int) -> tuple[float, float, int]:
    """(chance of winning, expected hours to the close, weeks to the first serial order), with ``outlook``'s stage hours."""
    cfg = outlook.cfg
    q, p, c = cfg.lead_qualify_rate, cfg.proposal_rate, outlook.expectations.p_close
    hq, hp = outlook.stage_hours[Stage.QUALIFIED], outlook.stage_hours[Stage.PROPOSAL]
    if deal_stage == Stage.LEAD:
        chance, hours = q * p * c, hours_left + q * (hq + p * hp)
        weeks = max(cfg.lead_min_weeks - weeks_in_stage, 1) + cfg.qualified_min_weeks + cfg.proposal_min_weeks
    elif deal_stage == Stage.QUALIFIED:
        chance, hours = p * c, hours_left + p * hp
        weeks = max(cfg.qualified_min_weeks - weeks_in_stage, 1) + cfg.proposal_min_weeks
    else:
        chance, hours = c, hours_left
        weeks = max(cfg.proposal_min_weeks - weeks_in_stage, 1)
    return chance, max(hours, 0.25), weeks + cfg.implementation_weeks


def plan_discretionary(
    staff: Staff, free: float, week: int | None = None, serial: list[ClientCompany] | None = None
) -> list[float]:
    """Split ``free`` hours over the discretionary activities (see module doc).

    On the way it ranks what the week's work then takes in order, so that
    the person's week does not read their portfolio again:
    ``staff.cross_sell_ranking`` (candidates for a new cross-sell project,
    best first) and ``staff.relationship_ranking`` (the week and the own
    serial clients, least covered first; nothing in the person's own week
    changes a client's stage or coverage, which change after everyone's week).
    ``week``: ``int(model.time)``, if the caller has read the clock (a Mesa
    observable, dearer to read than a plain attribute). ``serial``: the own
    serial clients in portfolio order, as a new list (the plan sorts it and
    keeps it), if the caller has them (the person's week, whose start
    found no client implementing: then every own client is serial).
    """
    plan = [0.0] * N_ACTIVITIES
    if free <= 1e-9:
        return plan
    model = staff.model
    cfg = model.cfg
    ex = model.expectations
    if week is None:
        week = int(model.time)
    # the value and the cap of each discretionary activity (none: 0.0, as for every activity the rule does not reach)
    v_prospecting = v_pipeline = v_cross_sell = v_relationship = 0.0
    cap_prospecting = cap_pipeline = cap_relationship = 0.0
    role_default: tuple[int, ...]

    if staff.hunts and cfg.fixed_hunting_share is not None:
        role_default = ()  # hunting hours were reserved before servicing (see reserved_hunting_hours)
    elif staff.hunts:
        role_default = (PROSPECTING, PIPELINE)
        needs = staff.stage_hours_now
        outlook = staff.hunting_outlook
        if outlook is None or outlook.stage_hours is not needs:  # the week's constants, unless set otherwise
            outlook = outlook_of(staff)
        v_prospecting = outlook.prospecting
        cap_prospecting = free
        worth = need_total = 0.0
        stages = outlook.stages
        win_values = outlook.win_values
        horizon = ex.horizon
        for deal in staff.deals:
            stage = deal.stage
            left = needs[stage] - deal.hours
            if left <= 0.0:
                continue
            # _deal_outlook and value_of_win written out with the per-stage constants (same arithmetic)
            chance, more_hours, min_weeks, later_weeks = stages[stage]
            hours = left + more_hours  # (a proposal adds 0.0: left itself, left being positive)
            weeks = min_weeks - (week - deal.entered)
            weeks = (weeks if weeks > 1 else 1) + later_weeks
            need = left if left <= MAX_DEAL_HOURS_PER_WEEK else MAX_DEAL_HOURS_PER_WEEK
            worth += need * chance * win_values[weeks if weeks < horizon else horizon] / (hours if hours > 0.25 else 0.25)
            need_total += need
        if need_total > 0.0:
            v_pipeline = worth / need_total
            cap_pipeline = need_total
    else:
        role_default = (CROSS_SELL, RELATIONSHIP)

    # cross-sell: running projects plus room for new ones. A project's value is its perceived pay per hour: the
    # chance the buying centre agrees (every member backs it, at the client's coverage) x the discounted pay from
    # the line's revenue once the project's minimum weeks are over (Expectations.value_of_owned with ``later``,
    # written out), per hour of the work left (at least a quarter); the best value kept as max() keeps it
    cap_cross_sell = 0.0
    projects = staff.projects
    xs_hours = cfg.cross_sell_hours
    lo = cfg.support_at_no_relationship
    span = cfg.support_at_full_relationship - lo
    table = ex.owned_later_lists
    for p in projects:
        left = xs_hours - p.hours
        if not left > 0.0:  # the work is in: the project waits for the client
            continue
        cap_cross_sell += left if left <= MAX_PROJECT_HOURS_PER_WEEK else MAX_PROJECT_HOURS_PER_WEEK
        c = p.company
        ws = week - c.won_week
        ws = WS_MAX if ws > WS_MAX else ws if ws > 0 else 0
        pay = c.lines[0] / 52.0 * table[c.originator is staff][ws]
        v = (lo + span * c.coverage) ** len(c.people) * pay / (0.25 if left < 0.25 else left)
        if v > v_cross_sell:
            v_cross_sell = v
    room = MAX_CROSS_SELL_PROJECTS - len(projects)
    if serial is None:
        serial = [c for c in staff.portfolio if c.stage is SERIAL]
    ranking = []
    if room > 0 and serial:
        # own serial clients with potential left, no project running and not recently refused
        candidates = [c for c in serial if c.lines and c.project is None and c.cross_sell_from <= week]
        if candidates:
            values = []
            divisor = 0.25 if xs_hours < 0.25 else xs_hours
            for c in candidates:
                ws = week - c.won_week
                ws = WS_MAX if ws > WS_MAX else ws if ws > 0 else 0
                pay = c.lines[0] / 52.0 * table[c.originator is staff][ws]
                values.append((lo + span * c.coverage) ** len(c.people) * pay / divisor)
            if len(candidates) == 1:
                ranking = candidates
                best = values[0]
            else:
                # best first, ties in portfolio order (as max() picks): what develop_cross_sells starts this week
                order = sorted(range(len(candidates)), key=values.__getitem__, reverse=True)
                ranking = [candidates[i] for i in order]
                best = values[order[0]]
            cap_cross_sell += (room if room < len(candidates) else len(candidates)) * MAX_PROJECT_HOURS_PER_WEEK
            if best > v_cross_sell:  # max(v_cross_sell, best): the first kept on a tie
                v_cross_sell = best
    staff.cross_sell_ranking = ranking

    # relationship building with the least-covered own serial clients
    if serial:
        if len(serial) > 1:
            serial.sort(key=_COVERAGE)  # stable: ties in portfolio order (as min() picks)
        weakest = serial[0]
        gain = cfg.relationship_gain_per_hour * staff.service_skill / len(weakest.people)
        fewer_losses = cfg.churn_weak_relationship * gain * (1.0 - weakest.coverage) * ex.horizon / 52.0
        ws = week - weakest.won_week  # Expectations.value_of_owned, written out
        ws = WS_MAX if ws > WS_MAX else ws if ws > 0 else 0
        # weakest.annual_value read off its column (the descriptor's own read, without the call)
        annual_value = weakest.table.annual_value.item(weakest.uid)
        pay = annual_value / 52.0 * ex.owned_lists[weakest.originator is staff][ws]
        v_relationship = fewer_losses * pay
        clients = len(serial)
        cap_relationship = (
            clients if clients < RELATIONSHIP_CLIENTS_PER_WEEK else RELATIONSHIP_CLIENTS_PER_WEEK
        ) * RELATIONSHIP_HOURS_PER_CLIENT
    staff.relationship_ranking = (week, serial)  # whom build_relationships visits this week, weakest first

    # v ** sharpness for the activities with a positive value (the others have none)
    sharpness = cfg.allocation_sharpness
    w_prospecting = w_pipeline = w_cross_sell = w_relationship = 0.0
    if v_prospecting > 0.0:
        w_prospecting = v_prospecting**sharpness
    if v_pipeline > 0.0:
        w_pipeline = v_pipeline**sharpness
    if v_cross_sell > 0.0:
        w_cross_sell = v_cross_sell**sharpness
    if v_relationship > 0.0:
        w_relationship = v_relationship**sharpness
    weights = [w_prospecting, w_pipeline, 0.0, 0.0, w_cross_sell, w_relationship, 0.0, 0.0]
    floor = None
    for i in role_default:  # the role's own work absorbs whatever pay does not claim
        if weights[i] == 0.0:
            if floor is None:
                # 1e-6 x the largest weight, at least 1e-300; worked out only when needed (most weeks: not).
                # max(weights), written out: the first maximum kept, in the order of DISCRETIONARY
                top = 0.0
                for w in (w_prospecting, w_pipeline, w_cross_sell, w_relationship):
                    if w > top:
                        top = w
                floor = 1e-6 * (1e-300 if top < 1e-300 else top)
            weights[i] = floor
    cap = [cap_prospecting, cap_pipeline, 0.0, 0.0, cap_cross_sell, cap_relationship, 0.0, 0.0]
    plan[IDLE] = _water_fill(plan, free, weights, cap)
    return plan


def reserved_hunting_hours(staff: Staff, free: float) -> float:
    """Hours a hunter must spend hunting this week under ``fixed_hunting_share`` (else 0).

    For controlled experiments: the share of client-facing hours that goes to
    prospecting and pipeline work is fixed, overriding the incentive-driven
    rule, and it is reserved before servicing, so service work that does not
    fit waits in the backlog (with the complaints and churn that follow).
    """
    share = staff.model.cfg.fixed_hunting_share
    if share is None or not staff.hunts:
        return 0.0
    return min(free, share * staff.model.cfg.available_hours)


def split_hunting(staff: Staff, hours: float) -> tuple[float, float]:
    """Split reserved hunting hours: open deals first (up to what they need), prospecting the rest."""
    need = sum(min(deal_hours_left(staff, d), MAX_DEAL_HOURS_PER_WEEK) for d in staff.deals)
    pipeline = min(hours, need)
    return hours - pipeline, pipeline


def _water_fill(plan: list[float], hours: float, weights: list[float], cap: list[float]) -> float:
    """Share ``hours`` in proportion to ``weights`` without exceeding ``cap``; return the rest.

    Only the :data:`DISCRETIONARY` activities take hours (the others have
    no weight or no cap here). ``plan`` is zero on entry: an activity's
    share is set once, either its cap (when the proportional share would
    exceed it; the rest is shared again among the others) or its
    proportional share of what remains. The total weight of a round is
    ``sum()`` of the active weights (Python floats, which ``sum()`` adds
    compensated in Python 3.12); for one or two it is the item or their
    plain sum, which ``sum()`` gives exactly.
    """
    active = [i for i in DISCRETIONARY if weights[i] > 0.0 and cap[i] > 0.0]
    remaining = hours
    while remaining > 1e-9 and active:
        n = len(active)
        if n == 1:
            i = active[0]
            w = weights[i]
            share = remaining * w / w
            if not share >= cap[i]:
                plan[i] = share
                return 0.0
            remaining -= cap[i]
            plan[i] = cap[i]
            break
        if n == 2:  # the round written out for two (each share computed once, as the rule computes it)
            i, j = active
            w_i = weights[i]
            w_j = weights[j]
            total = w_i + w_j
            share_i = remaining * w_i / total
            share_j = remaining * w_j / total
            full_i = share_i >= cap[i]
            full_j = share_j >= cap[j]
            if not (full_i or full_j):
                plan[i] = share_i
                plan[j] = share_j
                return 0.0
            if full_i:
                remaining -= cap[i]
                plan[i] = cap[i]
            if full_j:
                remaining -= cap[j]
                plan[j] = cap[j]
            active = [] if full_i and full_j else [j] if full_i else [i]
            continue
        total = sum([weights[i] for i in active])
        full = [i for i in active if remaining * weights[i] / total >= cap[i]]
        if not full:
            for i in active:
                plan[i] = remaining * weights[i] / total
            return 0.0
        for i in full:
            remaining -= cap[i]
            plan[i] = cap[i]
        active = [i for i in active if i not in full] if len(full) < n else []
    return 0.0 if remaining < 0.0 else remaining  # max(remaining, 0.0)
