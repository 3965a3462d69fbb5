"""Reply models shared by every face (terminal, Slack, Teams): rendering is a function of these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AnswerMode = Literal["offline", "llm"]


class Citation(BaseModel):
    """One numbered source behind a claim: a verbatim quote from one retrieved chunk."""

    n: int = Field(description="The number used in the answer text, as [n].")
    source: str = Field(description="Document title, e.g. 'Field report' or a note's title.")
    section: str = Field(description="Heading path inside the document, joined with ' › '.")
    quote: str = Field(description="Verbatim text from the chunk that supports the claim.")
    tenant: str = Field(description="'public' for the field report, else the client's tenant.")
    chunk_id: str
    date: str | None = Field(default=None, description="The note's date (ISO), if any.")

    @property
    def label(self) -> str:
        """`title › section (› date)`: how every face lists a source."""
        parts = [self.source]
        if self.section:
            parts.append(self.section)
        if self.date:
            parts.append(self.date)
        return " › ".join(parts)


class Usage(BaseModel):
    """Token accounting of one LLM answer (zeros offline)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0


class Answer(BaseModel):
    """A cited answer. `--json` prints exactly these fields (see README)."""

    answer: str
    citations: list[Citation] = Field(default_factory=list)
    mode: AnswerMode = "offline"
    degraded: bool = False
    notice: str | None = Field(
        default=None, description="One line for the user: truncation, fallback, low coverage."
    )
    covered: bool = Field(
        default=True, description="False when the sources do not cover the question."
    )
    model: str | None = None
    usage: Usage | None = None
