"""``python -m chatkit_agents`` runs the ``chatkit-agents`` command."""

from chatkit_agents.cli import main

raise SystemExit(main())
