"""Allow ``python -m reportpub``."""

from reportpub.cli import main

raise SystemExit(main())
