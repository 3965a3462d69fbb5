"""The Slack face: a Bolt `AsyncApp` whose listeners parse payloads, call the core and render."""
