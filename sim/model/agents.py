"""The four Mesa agent types (docs/ODD.md, entities).

Each agent is a handle to one row of the model's columnar state: reading or
setting an attribute reads or writes that row, so users can inspect and
change agents the Mesa way while the mechanisms run over whole arrays.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.mechanisms.labour import STATUS_NAMES
from sim.model.mechanisms.location import STATE_NAMES


class column:
    """Descriptor: attribute ``name`` of agent row ``self.row`` in ``model.<table>``."""

    def __init__(self, table: str, name: str, doc: str = ""):
        self.table, self.name, self.__doc__ = table, name, doc

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        value = getattr(getattr(agent.model, self.table), self.name)[agent.row]
        return value.item() if isinstance(value, np.generic) else value

    def __set__(self, agent, value):
        getattr(getattr(agent.model, self.table), self.name)[agent.row] = value


class RowAgent(mesa.Agent):
    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    def __repr__(self):
        return f"<{type(self).__name__} {self.unique_id} row={self.row} {self.name!r}>"


class EasternFirm(RowAgent):
    """A firm at risk of moving: home county, sector, size and its location state."""

    jobs = column("firms", "jobs", "workers (persons)")
    output_per_job = column("firms", "output_per_job", "output per worker at home (yuan/year)")
    capital_per_job = column(
        "firms", "capital_per_job", "plant capital a job needs, at current prices (yuan/job)"
    )
    home_plant_age = column("firms", "home_plant_age", "years since its home plant was built")
    west_plant_age = column("firms", "west_plant_age", "years since its western plant was built")
    chain_master = column("firms", "chain_master", "leads a supply chain (链主)")
    entry_step = column("firms", "entry_step", "step it entered its western park (-1 never)")

    @property
    def name(self):
        return f"firm {self.row}"

    @property
    def home(self) -> CountyGovernment:
        return self.model.county_agents[self.model.firms.home[self.row]]

    @property
    def sector(self) -> str:
        return str(self.model.sectors.name[self.model.firms.sector[self.row]])

    @property
    def state(self) -> str:
        """home, branch, relocated or exited."""
        return STATE_NAMES[self.model.firms.state[self.row]]

    @property
    def park(self) -> WesternPark | None:
        p = self.model.firms.park[self.row]
        return self.model.park_agents[p] if p >= 0 else None

    west_share = column(
        "firms", "share", "share of output and jobs in the west once its plant runs"
    )
    edge = column("firms", "edge", "own profitability advantage (share of output)")
    match_key = column(
        "firms", "key", "key of its productivity match with western prefectures (site_match.py)"
    )


class WesternPark(RowAgent):
    """An industrial park in a western county; an enclave when run by the eastern partner."""

    capacity = column("parks", "capacity", "firm slots")
    occupancy = column("parks", "occupancy", "firms in the park")
    land_cost = column("parks", "land_cost", "land rent before discount (yuan/job/year)")
    quality = column("parks", "quality", "infrastructure quality (0–1)")
    investment_cum = column("parks", "investment_cum", "infrastructure investment so far (yuan)")
    firm_investment_cum = column(
        "parks", "firm_investment_cum", "investment brought by firms (yuan)"
    )

    @property
    def name(self):
        return str(self.model.parks.name[self.row])

    @property
    def county(self) -> CountyGovernment:
        return self.model.county_agents[self.model.parks.county[self.row]]

    @property
    def operator(self) -> str:
        """``east`` for an enclave run by the partner, else ``local``."""
        return "east" if self.model.parks.enclave[self.row] else "local"

    @property
    def partner(self) -> CountyGovernment | None:
        e = self.model.parks.partner[self.row]
        return self.model.county_agents[e] if e >= 0 else None

    @property
    def tax_share(self) -> float:
        """Share of the locally retained tax paid to the eastern partner."""
        return self.model.cfg.policy.enclave.tax_share_east if self.operator == "east" else 0.0

    @property
    def sector_focus(self) -> str | None:
        s = self.model.parks.sector_focus[self.row]
        return str(self.model.sectors.name[s]) if s >= 0 else None

    @property
    def tenants(self) -> list[EasternFirm]:
        return [
            self.model.firm_agents[i] for i in np.flatnonzero(self.model.firms.park == self.row)
        ]


class LabourPool(RowAgent):
    """Working-age people of a western county by skill × mobility × status, and wages."""

    @property
    def name(self):
        return str(self.model.geo.county_name[self.county_row])

    @property
    def county_row(self) -> int:
        return self.model.geo.n_east + self.row

    @property
    def county(self) -> CountyGovernment:
        return self.model.county_agents[self.county_row]

    @property
    def people(self) -> np.ndarray:
        """Persons, shape (skill low/mid, mobility mobile/immobile, status) — a live view."""
        return self.model.labour.people[self.row]

    @property
    def by_status(self) -> dict[str, float]:
        totals = self.people.sum(axis=(0, 1))
        return {name: float(v) for name, v in zip(STATUS_NAMES, totals, strict=True)}

    @property
    def wage_low(self) -> float:
        return float(self.model.labour.wage[self.row, 0])

    @property
    def wage_mid(self) -> float:
        return float(self.model.labour.wage[self.row, 1])

    @property
    def workshop_jobs(self) -> float:
        return float(self.model.labour.workshop_slots[self.row])


class CountyGovernment(RowAgent):
    """The government of a county-level unit, east or west."""

    debt = column("counties", "debt", "debt (yuan)")
    friction = column(
        "counties", "friction", "administrative friction cost for firms (share of output)"
    )
    promotion_adaptation = column(
        "counties", "adaptation", "east: effort multiplier adapted to targets"
    )

    @property
    def name(self):
        return str(self.model.geo.county_name[self.row])

    @property
    def side(self) -> str:
        return "west" if self.model.geo.is_west[self.row] else "east"

    @property
    def province(self) -> str:
        return str(self.model.geo.county_province[self.row])

    @property
    def prefecture(self) -> str:
        return str(self.model.geo.county_prefecture[self.row])

    @property
    def partners(self) -> list[CountyGovernment]:
        geo = self.model.geo
        if geo.is_west[self.row]:
            return (
                [self.model.county_agents[geo.partner[self.row]]]
                if geo.partner[self.row] >= 0
                else []
            )
        return [self.model.county_agents[j] for j in np.flatnonzero(geo.partner == self.row)]

    @property
    def revenue(self) -> float:
        """Last step's revenue (yuan/year)."""
        return float(self.model.counties.revenue[self.row])

    @property
    def spending(self) -> dict[str, float]:
        """Last step's spending by item (yuan/year)."""
        c = self.model.counties
        return {
            k: float(getattr(c, f"spend_{k}")[self.row])
            for k in ("subsidy", "infrastructure", "workshops", "training", "debt_service")
        }

    @property
    def labour_pool(self) -> LabourPool | None:
        if not self.model.geo.is_west[self.row]:
            return None
        return self.model.labour_pools[self.row - self.model.geo.n_east]
