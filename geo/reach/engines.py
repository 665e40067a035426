"""Choose the catchment engine: road network when a graph is present, else the estimate.

The road graph and the network engine (scipy's sparse graphs and k-d trees) are imported when
the network is chosen: a page on the estimate does not wait for them.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo.reach.catchment import CatchmentEngine, StraightLineEstimate
from geo.settings import ROADS_FILE

if TYPE_CHECKING:
    from geo.data.roads import RoadGraph

#: Environment variable naming a road graph file built by `python -m geo refresh --only roads`.
ENV_ROADS = "KLYNGESTED_ROADS"


def find_roads(path: Path | None = None) -> RoadGraph | None:
    """The road graph to use: an explicit path, $KLYNGESTED_ROADS, a built real graph,
    or the synthetic default (labelled synthetic); None when none exists."""
    for candidate in (path, Path(os.environ[ENV_ROADS]) if os.environ.get(ENV_ROADS) else None, ROADS_FILE):
        if candidate is not None and candidate.is_file():
            return _load(candidate.resolve())
    from geo.data.roads import load_default_roads  # optional: scipy loads with the road network

    return load_default_roads()


@cache
def _load(path: Path) -> RoadGraph:
    from geo.data.roads import RoadGraph  # optional: scipy loads with the road network

    return RoadGraph.load(path)


def select_engine(method: str, roads: Path | None = None) -> tuple[CatchmentEngine, list[str]]:
    """The engine for 'estimate' or 'network', and notes (Danish) when falling back."""
    if method == "estimate":
        return StraightLineEstimate(), []
    if method != "network":
        raise ValueError(f"unknown method {method!r}")
    graph = find_roads(roads)
    if graph is None:
        return StraightLineEstimate(), ["Intet vejnet fundet – rejsetider er estimeret fra luftlinje."]
    from geo.reach.network import NetworkEngine  # optional: scipy loads with the road network

    return NetworkEngine(graph), []
