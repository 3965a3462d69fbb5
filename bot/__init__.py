"""The faces of the advisor: terminal, Slack, Teams. Thin adapters over graphs/ and knowledge/."""
