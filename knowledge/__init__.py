"""The knowledge layer: sources, chunks, the tenant-scoped index and retrieval.

Nothing here knows about Slack, Teams or LangGraph; `graphs/` and `bot/` build on it.
"""
