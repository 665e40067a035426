"""`python -m geo …` – the command-line interface.

This entry point is a composition root, like `app.py`: it is the one file under geo/ that
imports `layers`, so that the standalone HTML map (drawn with the folium layers) is among
the report formats. The library itself never imports layers/ (tests/test_architecture.py).
"""

import layers.standalone  # noqa: F401  registers the "html" report format
from geo.cli.main import main

raise SystemExit(main())
