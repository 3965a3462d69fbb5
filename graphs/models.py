"""Reply models shared by every face (terminal, Slack, Teams): rendering is a function of these."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from knowledge.chunks import clean_label

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

    @classmethod
    def of(cls, chunk: Any, n: int, quote: str) -> Citation:
        """Citation number `n` of `quote`, taken from `chunk` (a knowledge.chunks.Chunk)."""
        return cls(
            n=n,
            source=chunk.source,
            section=chunk.section,
            quote=quote,
            tenant=chunk.tenant,
            chunk_id=chunk.chunk_id,
            date=chunk.date,
        )

    @property
    def label(self) -> str:
        """`title › section (› date)`: how every face lists a source (control and bidi
        characters removed: they come from file names and headings)."""
        parts = [self.source]
        if self.section:
            parts.append(self.section)
        if self.date:
            parts.append(self.date)
        return " › ".join(clean_label(p) for p in parts)


class Usage(BaseModel):
    """Token accounting of one LLM answer (zeros offline)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0


class NextStep(BaseModel):
    """What to do after reading an answer; the faces turn flows into buttons."""

    kind: Literal["plan", "check", "assessment"]
    text: str


class Answer(BaseModel):
    """A cited answer. `--json` prints exactly these fields (see README)."""

    answer: str
    lead: str | None = Field(
        default=None, description="The answer line (the first line of `answer`)."
    )
    next_step: NextStep | None = None
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


# --- the assessment ------------------------------------------------------------------------

Stage = Literal["seed", "series_ab", "pe_smb", "enterprise", "other"]
OptionKey = Literal[
    "fractional_ai_cto", "advisor", "agency", "full_time_cto", "specialist", "not_yet"
]

STAGES: tuple[str, ...] = ("seed", "series_ab", "pe_smb", "enterprise", "other")
OPTIONS: tuple[str, ...] = (
    "fractional_ai_cto",
    "advisor",
    "agency",
    "full_time_cto",
    "specialist",
    "not_yet",
)
SIGNAL_KEYS: tuple[str, ...] = (
    "pilot_stalled",
    "strategy_by_tools",
    "prototypes_not_shipping",
    "vendor_lock_in_fear",
    "founders_firefighting",
    "agency_dependence",
    "decisions_cannot_wait",
    "no_ai_governance",
)
DISQUALIFIER_KEYS: tuple[str, ...] = (
    "pitch_deck_only",
    "strong_cto_owns_ai",
    "problem_undefined",
    "political_compromise",
    "no_access",
)
CONTEXT_KEYS: tuple[str, ...] = (
    "tech_permanent_center",
    "can_attract_cto",
    "work_well_scoped",
    "architecture_owned",
    "needs_occasional_input",
)

Tri = bool | None  # yes / no / not sure


class Facts(BaseModel):
    """What is known about a company: the interview's answers or what a detector found.

    Missing keys and `None` both mean "not known / not sure".
    """

    model_config = {"extra": "forbid"}

    stage: Stage | None = None
    signals: dict[str, Tri] = Field(default_factory=dict)
    disqualifiers: dict[str, Tri] = Field(default_factory=dict)
    context: dict[str, Tri] = Field(default_factory=dict)

    def merged(self, other: Facts) -> Facts:
        """These facts, with anything `other` knows (non-None) laid over them."""
        return Facts(
            stage=other.stage or self.stage,
            signals=self.signals | {k: v for k, v in other.signals.items() if v is not None},
            disqualifiers=self.disqualifiers
            | {k: v for k, v in other.disqualifiers.items() if v is not None},
            context=self.context | {k: v for k, v in other.context.items() if v is not None},
        )


class RuleHit(BaseModel):
    """A named rubric rule that fired, with why (our words) and where (a citation number)."""

    id: str
    option: OptionKey
    weight: float
    reason: str
    section: str = Field(description="Field-report section label the rule comes from.")
    citation: int = Field(description="The `n` of the supporting entry in `citations`.")


class AdviceItem(BaseModel):
    kind: Literal["stage", "avoid", "next"]
    text: str = Field(description="A verbatim quote from the report.")
    citation: int


class PlanWeek(BaseModel):
    week: int
    title: str
    text: str = Field(description="The report's text for that week, verbatim.")
    citation: int


class Recommendation(BaseModel):
    """The rubric's decision: deterministic for the same facts, explained by rule hits."""

    recommendation: OptionKey
    runner_up: OptionKey
    confidence: float = Field(ge=0.0, le=1.0)
    scores: dict[str, float] = Field(default_factory=dict)
    rules: list[RuleHit] = Field(default_factory=list)
    advice: list[AdviceItem] = Field(default_factory=list)
    plan: list[PlanWeek] | None = None
    citations: list[Citation] = Field(default_factory=list)
    summary: str = ""
    facts: Facts = Field(default_factory=Facts)


# --- the interview (what every face renders) ------------------------------------------------

QuestionKind = Literal["stage", "signal", "disqualifier", "context"]
TurnStatus = Literal["asking", "done", "cancelled"]


class Choice(BaseModel):
    value: str = Field(description="What a button sends back, e.g. 'yes', 'no', 'unsure', 'seed'.")
    label: str


class InterviewQuestion(BaseModel):
    """One interrupt of the interview: ask `prompt`, offer `choices`, accept free text too."""

    key: str = Field(description="'stage' or a signal / disqualifier / context key.")
    kind: QuestionKind
    prompt: str
    help: str | None = Field(default=None, description="Verbatim symptoms from the report.")
    help_citation: str | None = Field(default=None, description="Section label of `help`.")
    choices: list[Choice]
    number: int = Field(description="1-based position of this question in the interview.")
    total: int = Field(description="How many questions this interview asks in all (estimate).")


class InterviewTurn(BaseModel):
    """What the interview says next: a question, the recommendation, or a cancellation."""

    thread_id: str
    status: TurnStatus
    question: InterviewQuestion | None = None
    recommendation: Recommendation | None = None
    message: str | None = Field(
        default=None, description="A line to show first, e.g. why an answer was re-asked."
    )
    answered: dict[str, str] = Field(
        default_factory=dict, description="The previous question's key → the chosen label."
    )
    answered_question: InterviewQuestion | None = Field(
        default=None, description="The question this reply was filed for (to show it answered)."
    )
    stale: bool = Field(
        default=False,
        description="The reply was for a question that is no longer open (already answered, "
        "a second click, an old button): nothing changed; `question` is the open one.",
    )


class ReadFact(BaseModel):
    """One fact as read from a description: its value, how sure, and the words it came from."""

    key: str = Field(description="'stage' or a signal / disqualifier / context key.")
    value: bool | str | None = Field(description="None: the text does not say.")
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: str | None = Field(default=None, description="The founder's words, verbatim.")
    start: int | None = Field(default=None, description="Offset of `evidence` in the text.")


class CheckResult(BaseModel):
    """The quick trigger check: what was read in free text, and the rubric's verdict, or, when
    what was read does not settle it, a leaning and the questions that would."""

    detected: Facts
    read: list[ReadFact] = Field(default_factory=list, description="Facts read, with evidence.")
    recommendation: Recommendation | None = Field(
        default=None, description="None when undecided: see `leaning` and `questions`."
    )
    leaning: Recommendation | None = Field(
        default=None, description="What the facts read so far point to, when undecided."
    )
    undecided_because: str | None = None
    hinted: list[ReadFact] = Field(
        default_factory=list,
        description="Facts only hinted at (value: the guess) that the leaning rests on; "
        "the first questions ask to confirm them.",
    )
    questions: list[InterviewQuestion] = Field(
        default_factory=list, description="One to three questions that would settle it."
    )
    source: Literal["offline", "llm"] = "offline"

    @property
    def outcome(self) -> Recommendation:
        """The verdict, or the leaning when undecided (what faces explain either way)."""
        result = self.recommendation or self.leaning
        assert result is not None
        return result

    def prefill(self) -> Facts:
        """What an interview that goes on from this check starts from: the facts read, less
        the ones it is about to ask (so a fact only hinted at is asked, not assumed)."""
        asked = {q.key for q in self.questions}
        return Facts(
            stage=None if "stage" in asked else self.detected.stage,
            signals={k: v for k, v in self.detected.signals.items() if k not in asked},
            disqualifiers={k: v for k, v in self.detected.disqualifiers.items() if k not in asked},
            context={k: v for k, v in self.detected.context.items() if k not in asked},
        )

    def evidence(self, key: str) -> str | None:
        return next((r.evidence for r in self.read if r.key == key and r.value is not None), None)
