"""The interview's vocabulary as data: stages, trigger signals, disqualifiers, context.

Labels and questions are ours. Anything shown *from the report* (a signal's symptoms) is read
from the bundled corpus at run time, verbatim, never typed in here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from knowledge.corpus import field_report_section_chunks, section_label

SIGNALS_H2 = "Eight trigger signals that mean it is probably time"
STAGES_H2 = "Stage-by-stage fit"
NOT_TO_HIRE_H2 = "When not to hire a Fractional AI CTO"
COMPARISON_H2 = "Full-time CTO, agency, advisor, or fractional AI CTO?"


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    label: str  # our short display name
    question: str  # our question to the user
    headings: tuple[str, ...]  # where the report discusses it

    @property
    def section(self) -> str:
        return section_label(*self.headings)


STAGE_TOPICS: tuple[Topic, ...] = (
    Topic("seed", "Seed", "", (STAGES_H2, "Seed: avoid founder drag")),
    Topic(
        "series_ab",
        "Series A/B",
        "",
        (STAGES_H2, "Series A or B: turn AI motion into operating rhythm"),
    ),
    Topic("pe_smb", "PE-backed SMB", "", (STAGES_H2, "PE-backed SMB: find margin, not theater")),
    Topic(
        "enterprise",
        "Enterprise department",
        "",
        (STAGES_H2, "Enterprise department: control the path before rogue AI wins"),
    ),
    Topic("other", "Other", "", ()),
)

SIGNAL_TOPICS: tuple[Topic, ...] = (
    Topic(
        "pilot_stalled",
        "First AI pilot stalled",
        "Did your first AI pilot stall after the demo?",
        (SIGNALS_H2, "1. Your first AI pilot stalled after the demo"),
    ),
    Topic(
        "strategy_by_tools",
        "Strategy answered with tools",
        "Is the board asking for an AI strategy while the team answers with tool trials?",
        (SIGNALS_H2, "2. The board is asking for AI strategy and the team is answering with tools"),
    ),
    Topic(
        "prototypes_not_shipping",
        "Prototypes never ship",
        "Does engineering build AI prototypes that never reach production?",
        (SIGNALS_H2, "3. Engineering ships AI prototypes that never make production"),
    ),
    Topic(
        "vendor_lock_in_fear",
        "Vendor lock-in fear",
        "Is fear of vendor lock-in holding up your AI decisions?",
        (SIGNALS_H2, "4. Vendor lock-in fear is slowing every decision"),
    ),
    Topic(
        "founders_firefighting",
        "Founders firefighting",
        "Are the founders still patching AI flows and reviewing every technical call themselves?",
        (SIGNALS_H2, "5. Founders are coding at 2am again"),
    ),
    Topic(
        "agency_dependence",
        "Agency dependence",
        "Is an agency building your AI work without leaving capability in-house?",
        (SIGNALS_H2, "6. Agencies are burning cash without building capability"),
    ),
    Topic(
        "decisions_cannot_wait",
        "Decisions can't wait",
        "Are irreversible technical decisions being made before you can hire a full-time CTO?",
        (SIGNALS_H2, "7. You cannot hire a full-time CTO yet, but decisions cannot wait"),
    ),
    Topic(
        "no_ai_governance",
        "No AI governance",
        "Is AI already in production without anyone owning its governance?",
        (SIGNALS_H2, "8. Nobody owns AI governance, but AI is already in production"),
    ),
)

DISQUALIFIER_TOPICS: tuple[Topic, ...] = (
    Topic(
        "pitch_deck_only",
        "Only want a deck",
        "Is what you mainly want a strategy deck or pitch material, not delivery?",
        (NOT_TO_HIRE_H2,),
    ),
    Topic(
        "strong_cto_owns_ai",
        "Strong CTO owns AI",
        "Do you already have a strong CTO who owns AI and mostly needs extra hands?",
        (NOT_TO_HIRE_H2,),
    ),
    Topic(
        "problem_undefined",
        "Problem undefined",
        "Is the business problem still undefined (no named workflow, customer pain or cost)?",
        (NOT_TO_HIRE_H2,),
    ),
    Topic(
        "political_compromise",
        "Political compromise",
        "Would this hire be a political compromise without real authority over a defined lane?",
        (NOT_TO_HIRE_H2,),
    ),
    Topic(
        "no_access",
        "No access",
        "Would you hold back access to the repo, systems, data or decision makers?",
        (NOT_TO_HIRE_H2,),
    ),
)

CONTEXT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "tech_permanent_center",
        "Technology is the core",
        "Is technology the permanent centre of your company?",
        (COMPARISON_H2,),
    ),
    Topic(
        "can_attract_cto",
        "Can attract a CTO",
        "Could you attract and afford the full-time CTO you need now?",
        (COMPARISON_H2,),
    ),
    Topic(
        "work_well_scoped",
        "Work is well scoped",
        "Is the AI work well scoped, with clear deliverables?",
        (COMPARISON_H2,),
    ),
    Topic(
        "architecture_owned",
        "Architecture is owned",
        "Does someone on your side already own the architecture?",
        (COMPARISON_H2,),
    ),
    Topic(
        "needs_occasional_input",
        "Occasional input is enough",
        "Would a few hours a month of pattern recognition and board support be enough?",
        (COMPARISON_H2,),
    ),
)

TOPICS: dict[str, Topic] = {
    t.key: t for t in (*SIGNAL_TOPICS, *DISQUALIFIER_TOPICS, *CONTEXT_TOPICS)
}
STAGE_BY_KEY: dict[str, Topic] = {t.key: t for t in STAGE_TOPICS}


def stage_label(stage: str) -> str:
    return STAGE_BY_KEY[stage].label


def question_text(key: str) -> str:
    return TOPICS[key].question


def topic_label(key: str) -> str:
    return TOPICS[key].label


def signal_section(key: str) -> str:
    return TOPICS[key].section


@cache
def signal_help(key: str) -> str | None:
    """The report's own words for a signal, verbatim: its "Symptoms: …" sentence, else the
    sentence of its section closest to our question."""
    topic = TOPICS[key]
    if key not in {t.key for t in SIGNAL_TOPICS}:
        return None
    text = " ".join(c.text for c in field_report_section_chunks(topic.section))
    match = re.search(r"Symptoms:.*?[.!?][”\"’]?(?=\s|$)", text)
    if match:
        return match.group(0)
    return best_sentence(text, topic.question)


def best_sentence(text: str, probe: str) -> str:
    """The sentence of `text` sharing the most terms with `probe` (first one on ties)."""
    from graphs.qa.compose_offline import split_sentences
    from knowledge.lexical import tokenize

    terms = set(tokenize(probe))
    sentences = split_sentences(text)
    return max(sentences, key=lambda s: len(terms & set(tokenize(s))))
