"""`python -m geo …` – the command-line interface."""

from geo.cli.main import main

raise SystemExit(main())
