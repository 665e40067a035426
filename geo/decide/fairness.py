"""What each municipality gets from a site: reach of its own cluster workplaces, and the keys
the co-financing split uses (population, cluster workplaces and employees, benefit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.reach.indicators import INSTITUTION_REACH_MIN, REACH_MIN, IndicatorContext
from geo.settings import K17_CODES, THRESHOLDS_MIN

FAIRNESS_THRESHOLDS = tuple(t for t in THRESHOLDS_MIN if t >= 30)


def fairness_table(ctx: IndicatorContext, xy: tuple[float, float], codes: tuple[str, ...] = K17_CODES) -> pd.DataFrame:
    """Per municipality: its cluster workplaces and employees reached within 30/45/60 min
    (counts and shares of its own), median minutes of its workplaces to the site, institutions
    in it reached within 30 min; `reached` is the one definition of "kommune nået" (`REACHED_DA`,
    the same as the indicator `municipalities_45`); `left_out` marks a municipality with none of
    its cluster workplaces within 45 min."""
    minutes = ctx.engine.minutes(xy, ctx.wp_xy)
    centre = dict(zip(ctx.muni_code, ctx.engine.minutes(xy, ctx.muni_xy), strict=True))
    inst_min = ctx.engine.minutes(xy, ctx.inst_xy)
    inst_muni = ctx.inst_kommune
    rows = []
    for code in codes:
        where = np.flatnonzero(ctx.wp_kommune_codes == code)
        mine = np.isin(ctx.wp_kommune_idx, where)
        total, emp_total = int(mine.sum()), float(ctx.wp_employees[mine].sum())
        row: dict[str, object] = {"kommunekode": code, "kommune": ctx.muni_name.get(code, code),
                                  "workplaces": total, "employees": round(emp_total)}
        for t in FAIRNESS_THRESHOLDS:
            inside = mine & (minutes <= t)
            row[f"share_workplaces_{t}"] = round(100.0 * inside.sum() / total, 1) if total else np.nan
            row[f"share_employees_{t}"] = round(100.0 * ctx.wp_employees[inside].sum() / emp_total, 1) if emp_total else np.nan
        finite = minutes[mine][np.isfinite(minutes[mine])]
        row["median_minutes"] = round(float(np.median(finite)), 1) if finite.size else np.nan
        row["institutions_30"] = int(((inst_min <= INSTITUTION_REACH_MIN) & (inst_muni == code)).sum())
        row["reached"] = bool(centre.get(code, np.inf) <= REACH_MIN)
        row["left_out"] = bool(total and row[f"share_workplaces_{REACH_MIN}"] == 0)
        rows.append(row)
    return pd.DataFrame(rows)


def finance_keys(ctx: IndicatorContext, xy: tuple[float, float] | None, codes: tuple[str, ...] = K17_CODES) -> pd.DataFrame:
    """Columns the co-financing keys use, per municipality: population, cluster workplaces and
    employees located there, and benefit = its cluster workplaces within 45 min of the site."""
    pop = dict(zip(ctx.muni_code, ctx.muni_pop, strict=True))
    minutes = ctx.engine.minutes(xy, ctx.wp_xy) if xy is not None else None
    rows = []
    for code in codes:
        mine = np.isin(ctx.wp_kommune_idx, np.flatnonzero(ctx.wp_kommune_codes == code))
        benefit = int((mine & (minutes <= REACH_MIN)).sum()) if minutes is not None else 0
        rows.append({"kommunekode": code, "kommune": ctx.muni_name.get(code, code), "population": float(pop.get(code, 0.0)),
                     "workplaces": int(mine.sum()), "employees": float(ctx.wp_employees[mine].sum()), "benefit": benefit})
    return pd.DataFrame(rows)
