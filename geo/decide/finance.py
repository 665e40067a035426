"""Co-financing: split an annual amount among municipalities, and who gets what for what they pay.

Amounts are whole kroner and always sum exactly to the total (largest-remainder method,
ties to the larger share, then to the lower municipality code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.decide.weights import WeightsError, largest_remainder
from geo.errors import KlyngestedError
from geo.format import number

#: Keys a split can use; "mix" combines them with weights.
#: Largest amount split (whole kroner): far above any budget, and exact in float arithmetic.
MAX_TOTAL_KR = 10**15
KEYS = ("population", "workplaces", "employees", "benefit", "equal")
#: What the fairness ratio 'Gavn ÷ udgift' means, printed beside it in every output.
RATIO_NOTE = ("Gavn ÷ udgift: kommunens andel af gavnen (arbejdssteder nået) delt med dens andel af udgiften; "
              "over 1 betyder, at kommunen får mere, end den betaler.")
KEY_DA = {
    "population": "befolkning",
    "workplaces": "klyngearbejdssteder",
    "employees": "ansatte i klyngen",
    "benefit": "klyngearbejdssteder nået fra lokaliteten",
    "equal": "lige store andele",
}


class FinanceError(KlyngestedError):
    """The split cannot be made (no municipalities, bad total or key)."""


@dataclass(frozen=True)
class Split:
    """A split: ``table`` has ``kommunekode, kommune, share, amount_kr``; ``formula_da`` explains it."""

    table: pd.DataFrame
    total_kr: int
    formula_da: str


def parse_key(text: str) -> dict[str, float]:
    """``"population"`` or ``"mix:population=50,workplaces=50"`` -> key -> weight."""
    text = text.strip()
    if text in KEYS:
        return {text: 1.0}
    if text.startswith("mix:"):
        out: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text[4:].split(","))):
            k, _, v = part.partition("=")
            try:
                out[k.strip()] = float(v.replace(",", "."))
            except ValueError:
                raise FinanceError(f"Kan ikke læse '{part}' i fordelingsnøglen.", f"Cannot read '{part}'.") from None
        return out
    raise FinanceError(f"Ukendt fordelingsnøgle '{text}'; brug {', '.join(KEYS)} eller mix:….",
                       f"Unknown key '{text}'.")


def split(
    total_kr: int,
    municipalities: pd.DataFrame,
    key: str | Mapping[str, float] = "population",
    lead: str | None = None,
    lead_share: float = 0.0,
) -> Split:
    """Split ``total_kr`` among municipalities by a key or a weighted mix of keys.

    Parameters
    ----------
    total_kr : int
        Whole kroner to split (≥ 0).
    municipalities : DataFrame
        One row per participating municipality: ``kommunekode``, ``kommune`` and the
        columns the key uses (``population``, ``workplaces``, ``employees``, ``benefit``).
    key : str or mapping
        One of `KEYS`, ``"mix:population=50,…"``, or a mapping key -> weight.
    lead, lead_share : str, float
        Optional lead municipality (code) that pays ``lead_share`` (0..1) of the total
        first; the rest is split by the key among all (including the lead).

    Returns
    -------
    Split
        Amounts summing exactly to ``total_kr``.
    """
    try:
        whole = int(total_kr) == total_kr
    except (TypeError, ValueError, OverflowError):  # NaN, infinity, not a number
        whole = False
    if not whole or not 0 <= total_kr <= MAX_TOTAL_KR:
        raise FinanceError(f"Beløbet skal være et helt antal kroner mellem 0 og {number(MAX_TOTAL_KR, 0)}.",
                           f"Total must be whole kroner from 0 to {MAX_TOTAL_KR}.")
    if not 0 <= lead_share <= 1:  # also refuses NaN
        raise FinanceError("Lead-kommunens andel skal være mellem 0 og 100 %.", "Lead share must be in [0, 1].")
    total_kr = int(total_kr)
    if municipalities is None or len(municipalities) == 0:
        raise FinanceError("Vælg mindst én kommune.", "Choose at least one municipality.")
    m = municipalities.assign(kommunekode=municipalities["kommunekode"].astype(str))
    if m["kommunekode"].duplicated().any():
        raise FinanceError("En kommune står to gange.", "A municipality appears twice.")
    m = m.sort_values("kommunekode", ignore_index=True)
    mix = parse_key(key) if isinstance(key, str) else dict(key)
    bad = [k for k in mix if k not in KEYS]
    if bad or not mix or any(not np.isfinite(v) or v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        raise FinanceError(f"Ugyldig fordelingsnøgle: {mix}.", f"Invalid key: {mix}.")
    wsum = sum(mix.values())
    share = np.zeros(len(m))
    parts = []
    for k, wk in mix.items():
        if wk <= 0:
            continue
        if k == "equal":
            base = np.ones(len(m))
        else:
            if k not in m:
                raise FinanceError(f"Der mangler tal for {KEY_DA[k]}.", f"Column '{k}' is missing.")
            base = pd.to_numeric(m[k], errors="coerce").fillna(0).clip(lower=0).to_numpy(float)
        if base.sum() <= 0:
            raise FinanceError(f"Alle kommuner har 0 for {KEY_DA[k]}; vælg en anden nøgle.",
                               f"All municipalities have 0 for {k}.")
        share += (wk / wsum) * base / base.sum()
        parts.append(f"{number(100 * wk / wsum, 0)} % efter {KEY_DA[k]}")
    formula = "Andel = " + " + ".join(parts) if len(parts) > 1 else f"Andel efter {KEY_DA[next(iter(mix))]}"
    if lead is not None and lead_share > 0:
        hit = (m["kommunekode"] == str(lead)).to_numpy()
        if not hit.any():
            raise FinanceError(f"Lead-kommunen {lead} deltager ikke.", f"Lead municipality {lead} is not included.")
        share = lead_share * hit + (1 - lead_share) * share
        formula = f"{m.loc[hit, 'kommune'].iloc[0]} betaler først {number(100 * lead_share, 0)} %; resten: {formula.lower()}"
    try:
        kr = largest_remainder(share, total_kr) if total_kr else np.zeros(len(m), dtype=np.int64)
    except WeightsError as err:
        raise FinanceError(err.message_da, err.message_en) from None
    formula += "; hele kroner efter største-rest-metoden, så summen er præcis totalen."
    table = pd.DataFrame({"kommunekode": m["kommunekode"], "kommune": m["kommune"].astype(str),
                          "share": share, "amount_kr": kr})
    return Split(table, total_kr, formula)


def fairness(split_table: pd.DataFrame, benefit: pd.DataFrame, benefit_col: str = "workplaces") -> pd.DataFrame:
    """Share of benefit vs share of cost per municipality.

    Parameters
    ----------
    split_table : DataFrame
        ``Split.table``.
    benefit : DataFrame
        ``kommunekode`` and ``benefit_col`` (e.g. cluster workplaces reached within 45 min
        from the chosen site; the per-municipality breakdown of `geo.reach.indicators`).

    Returns
    -------
    DataFrame
        ``kommunekode, kommune, amount_kr, share_cost, share_benefit, benefit_to_cost, left_out``:
        ``benefit_to_cost`` = benefit share ÷ cost share (1 = pays in proportion to what it gets),
        ``left_out`` True where the municipality gets nothing.
    """
    b = benefit.assign(kommunekode=benefit["kommunekode"].astype(str)).groupby("kommunekode")[benefit_col].sum()
    out = split_table[["kommunekode", "kommune", "amount_kr"]].copy()
    got = out["kommunekode"].map(b).fillna(0.0).astype(float)
    total_kr = out["amount_kr"].sum()
    out["share_cost"] = out["amount_kr"] / total_kr if total_kr else 0.0
    out["share_benefit"] = got / got.sum() if got.sum() > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out["benefit_to_cost"] = np.where(out["share_cost"] > 0, out["share_benefit"] / out["share_cost"], np.nan)
    out["left_out"] = got.to_numpy() <= 0
    return out.reset_index(drop=True)
