"""The road graph: a compact CSR matrix of drive minutes between nodes, saved as one ``.npz``.

The graph is a CSR matrix of directed edge minutes (one-way streets have one direction,
ferry edges carry their crossing time) with node coordinates in EPSG:25832 metres.
Built from OpenStreetMap (`geo.data.sources.osm_roads`) or the synthetic demo network;
read by the `network` catchment engine (`geo.reach.network`).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from geo.data.provenance import Provenance, Quality
from geo.errors import InputFileError
from geo.settings import CRS_METRIC, DEFAULT_DIR

if TYPE_CHECKING:
    pass

#: File name of the embedded synthetic road network.
DEFAULT_ROADS_FILE = DEFAULT_DIR / "roads_synthetic.npz"
#: Default search limit for Dijkstra (minutes); beyond it a point counts as unreachable.
DEFAULT_LIMIT_MIN = 90.0
#: Default speed for the off-network gap between a point and its nearest node (km/h):
#: driveway, parking lot and the last metres on foot in a real OSM drive graph.
DEFAULT_SNAP_SPEED_KMH = 15.0
#: Points farther than this from every node are outside the network (unreachable).
DEFAULT_MAX_SNAP_M = 5000.0
#: Smallest edge weight; csgraph must never see a zero-minute edge as "no edge".
_MIN_EDGE_MIN = 1e-6
_FORMAT = "klyngested-roadgraph-1"


@dataclass
class RoadGraph:
    """Directed road graph: node coordinates (EPSG:25832) and a CSR matrix of edge minutes.

    Parameters
    ----------
    x, y : ndarray
        Node coordinates in metres.
    matrix : scipy.sparse.csr_matrix
        ``matrix[u, v]`` = minutes to drive from node ``u`` to ``v``.
    source, date, quality, method : str
        Provenance of the network (``quality`` is "real" or "synthetic").
    snap_speed_kmh : float
        Recommended speed for the gap from a point to its nearest node.
    links : dict
        Named special edges, e.g. ``{"Storstrømsbroen": [(u, v), (v, u)]}``.
    """

    x: np.ndarray
    y: np.ndarray
    matrix: sparse.csr_matrix
    source: str = "ukendt"
    date: str = ""
    quality: Quality = "real"
    method: str = ""
    snap_speed_kmh: float = DEFAULT_SNAP_SPEED_KMH
    links: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def from_edges(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        u: np.ndarray,
        v: np.ndarray,
        minutes: np.ndarray,
        **meta: object,
    ) -> RoadGraph:
        """Build from directed edge arrays; parallel edges keep the fastest, loops are dropped."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        n = len(x)
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        w = np.maximum(np.asarray(minutes, dtype=np.float64), _MIN_EDGE_MIN)
        if not (len(u) == len(v) == len(w)) or len(y) != n:
            raise ValueError("edge arrays and node arrays must have matching lengths")
        if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise ValueError("edge endpoint outside node range")
        if np.any(~np.isfinite(w)):
            raise ValueError("edge minutes must be finite")
        keep = u != v
        u, v, w = u[keep], v[keep], w[keep]
        order = np.lexsort((w, v, u))  # by u, then v, then fastest first
        u, v, w = u[order], v[order], w[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, w = u[first], v[first], w[first]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
        mat = sparse.csr_matrix((w, v.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))
        return cls(x=x, y=y, matrix=mat, **meta)  # type: ignore[arg-type]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.matrix.nnz)

    def xy(self) -> np.ndarray:
        """Node coordinates as an (n, 2) array."""
        return np.column_stack([self.x, self.y])

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Directed edges as arrays ``(u, v, minutes)``."""
        coo = self.matrix.tocoo()
        return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)

    def without_edges(self, pairs: list[tuple[int, int]]) -> RoadGraph:
        """Copy without the given directed edges (e.g. to close a bridge)."""
        u, v, w = self.edges()
        drop = {(int(a), int(b)) for a, b in pairs}
        n = self.n_nodes
        drop_keys = np.array([a * n + b for a, b in drop], dtype=np.int64)
        keep = ~np.isin(u * n + v, drop_keys)
        links = {k: [p for p in ps if tuple(p) not in drop] for k, ps in self.links.items()}
        return RoadGraph.from_edges(
            self.x, self.y, u[keep], v[keep], w[keep], **{**self._meta(), "links": links}
        )

    def provenance(self) -> Provenance:
        """Provenance record of the road network layer."""
        return Provenance(
            layer="Vejnet", source=self.source, date=self.date,
            method=self.method or "rejsetid ad vejnettet", quality=self.quality,
        )

    def _meta(self) -> dict[str, object]:
        return {
            "source": self.source, "date": self.date, "quality": self.quality,
            "method": self.method, "snap_speed_kmh": float(self.snap_speed_kmh),
            "links": {k: [list(map(int, p)) for p in ps] for k, ps in self.links.items()},
        }

    def save(self, path: str | Path) -> Path:
        """Write a compact, byte-for-byte deterministic ``.npz`` file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        m = self.matrix
        arrays = {
            "x": self.x, "y": self.y,
            "indptr": m.indptr.astype(np.int32), "indices": m.indices.astype(np.int32),
            "minutes": m.data.astype(np.float32),
            "meta": np.array(json.dumps({"format": _FORMAT, "crs": CRS_METRIC, **self._meta()},
                                        ensure_ascii=False, sort_keys=True)),
        }
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue())
        return path

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        """Read a file written by :meth:`save`.

        Raises
        ------
        InputFileError
            The file is missing, damaged or not a road graph (Danish message).
        """
        try:
            return cls._read(Path(path))
        except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            raise InputFileError(
                f"Vejnettet {Path(path).name} kan ikke læses: filen er beskadiget eller ikke et vejnet "
                "fra 'python -m geo refresh --only roads'.",
                f"Road graph {Path(path).name} cannot be read ({type(exc).__name__}).") from None

    @classmethod
    def _read(cls, path: Path) -> RoadGraph:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].item())
            if meta.pop("format", None) != _FORMAT:
                raise ValueError(f"{path} is not a Klyngested road graph")
            meta.pop("crs", None)
            n = len(z["x"])
            mat = sparse.csr_matrix(
                (z["minutes"].astype(np.float64), z["indices"], z["indptr"]), shape=(n, n)
            )
            links = {k: [tuple(p) for p in ps] for k, ps in meta.pop("links", {}).items()}
            return cls(x=z["x"].astype(np.float64), y=z["y"].astype(np.float64), matrix=mat,
                       links=links, **meta)


def load_default_roads(path: Path | None = None) -> RoadGraph | None:
    """The embedded synthetic road network, or None when the file is absent."""
    p = Path(path) if path is not None else DEFAULT_ROADS_FILE
    return RoadGraph.load(p) if p.is_file() else None


