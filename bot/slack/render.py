"""Block Kit for answers: the one mrkdwn escaper, text splitting, and the answer message.

Everything here is a pure function of a reply model. All text that did not come from this
module (user input, notes, the report, the model) goes through `escape_mrkdwn` before it lands in
a mrkdwn field, so it can never mention a channel, a user or a group, or become a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from graphs.models import Answer, Citation

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": …, "blocks": […]}: what chat.postMessage / respond take

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_FALLBACK_CHARS = 300
MAX_PLAIN_CHARS = 75  # button and option labels

ACTION_FEEDBACK = "answer_feedback"  # Slack's feedback_buttons under every answer
ACTION_FEEDBACK_UP = "feedback_up"  # the 👍/👎 buttons of answers posted before it
ACTION_FEEDBACK_DOWN = "feedback_down"
ACTION_START_ASSESSMENT = "assessment_start"
ACTION_START_CHECK = "check_start"  # opens the trigger-check form

_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,15}):(?=//)")
_WWW = re.compile(r"(?i)\bwww\.")
# A dot inside a host name ("evil.example", "a@b.co"): Slack links bare domains and e-mails.
_HOST_DOT = re.compile(r"(?i)(?<=[a-z0-9-])\.(?=[a-z0-9-]*[a-z][a-z0-9-]*(?![a-z0-9-]))")
_WORD_JOINER = "\u2060"


def escape_mrkdwn(text: str) -> str:
    """Neutralise `&`, `<`, `>` (mentions, links, dates); break `scheme://`, `www.`, bare
    domains, e-mail addresses and `@channel`-style words so that pasted or generated text is
    shown as text: never a link Slack would unfurl, never a ping. The breaks are an invisible
    word joiner, so the text reads the same."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SCHEME.sub(lambda m: f"{m.group(1)}:{_WORD_JOINER}", text)
    text = _WWW.sub(lambda m: f"{m.group(0)[:3]}{_WORD_JOINER}.", text)
    text = _HOST_DOT.sub("." + _WORD_JOINER, text)
    return text.replace("@", "@" + _WORD_JOINER)


def plain(text: str, limit: int = MAX_PLAIN_CHARS) -> str:
    """A plain_text value cut to Slack's limit (plain_text is never parsed for mentions)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Cut already-escaped text into pieces ≤ `limit`, at paragraph, line or word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_point(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in ("\n\n", "\n", " "):
        at = window.rfind(sep)
        if at > limit // 2:
            return at
    amp = window.rfind("&", limit - 6)  # never split an entity such as &amp;
    return amp if amp > 0 and ";" not in window[amp:] else limit


class ButtonValueError(ValueError):
    """A button or form value we did not write (edited by hand, or from another version)."""


def mrkdwn(escaped: str) -> dict[str, Any]:
    """A mrkdwn text object Slack never pre-parses (`verbatim`): no auto-linked URLs, channel
    names or mentions, on top of the escaping."""
    return {"type": "mrkdwn", "text": escaped, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def sections(escaped: str) -> list[Block]:
    return [section(piece) for piece in split_text(escaped)]


def context(escaped: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(escaped)]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(text), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: Sequence[dict[str, Any]], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def source_blocks(citations: Iterable[Citation]) -> list[Block]:
    """Numbered sources (`[n] title › section › date`) in context blocks."""
    lines = [f"[{c.n}] {escape_mrkdwn(c.label)}" for c in citations]
    if not lines:
        return []
    return [context(piece) for piece in split_text("*Sources*\n" + "\n".join(lines))]


def paginate(blocks: list[Block], fallback: str) -> list[Message]:
    """Blocks in messages of at most 50 blocks each; long answers are split, never rejected."""
    pages = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[]]
    return [{"text": fallback_text(fallback), "blocks": page} for page in pages]


def fallback_text(escaped: str, limit: int = MAX_FALLBACK_CHARS) -> str:
    """The notification text: cut at `limit`, never inside an entity such as `&amp;`."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[:limit]
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def render_answer(answer: Answer, *, answer_id: str, notices: Sequence[str] = ()) -> list[Message]:
    """The answer line first (bold), the quotes, then `answer_tail`: sources, notices, the
    next step and feedback."""
    body = escape_mrkdwn(answer.answer)
    lead = escape_mrkdwn(answer.lead) if answer.lead else None
    rest = escape_mrkdwn(_after_lead(answer)) if lead else body
    blocks = sections(f"*{lead}*") if lead else []
    blocks += sections(rest) if rest.strip() else []
    blocks += answer_tail(answer, answer_id=answer_id, notices=notices)
    return paginate(blocks, body)


def answer_tail(answer: Answer, *, answer_id: str, notices: Sequence[str] = ()) -> list[Block]:
    """What follows an answer's text: the sources, notices, the next step as a button when it
    starts a flow (the assessment, the trigger check), and Slack's feedback buttons. Also what
    a streamed answer ends with (chat.stopStream's blocks)."""
    blocks = source_blocks(answer.citations)
    lines = [escape_mrkdwn(n) for n in (*notices, answer.notice) if n]
    if lines:
        blocks.append(context("_" + "_\n_".join(lines) + "_"))
    blocks.append(actions(_next_step_button(answer), "answer_actions"))
    blocks.append(feedback_block(answer_id))
    return blocks


def _after_lead(answer: Answer) -> str:
    """The answer's text after its first line (the lead) and without the "Next step:" line
    when the next step is a button."""
    lines = answer.answer.split("\n")[1:]
    if answer.next_step is not None and answer.next_step.kind != "plan":
        lines = [line for line in lines if not line.startswith("Next step:")]
    return "\n".join(lines)


def _next_step_button(answer: Answer) -> list[dict[str, Any]]:
    step = answer.next_step.kind if answer.next_step else "assessment"
    if step == "check":
        return [button("Run the trigger check", ACTION_START_CHECK, "answer", "primary")]
    return [button("Run the assessment", ACTION_START_ASSESSMENT, "answer", "primary")]


def feedback_block(answer_id: str) -> Block:
    """Slack's AI feedback element: `feedback_buttons` in a `context_actions` block. Each
    button's value names the answer and the vote."""

    def vote(text: str, label: str, helpful: bool) -> dict[str, Any]:
        return {
            "text": {"type": "plain_text", "text": text},
            "accessibility_label": label,
            "value": feedback_value(answer_id, helpful),
        }

    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ACTION_FEEDBACK,
                "positive_button": vote("Helpful", "This answer was helpful", True),
                "negative_button": vote("Not helpful", "This answer was not helpful", False),
            }
        ],
    }


def feedback_value(answer_id: str, helpful: bool) -> str:
    return f"{'up' if helpful else 'down'}:{answer_id[:64]}"


def parse_feedback_value(raw: object) -> tuple[str, bool]:
    """(answer id, helpful) from a feedback button's value."""
    vote, _, answer_id = str(raw or "").partition(":")
    if vote not in ("up", "down") or not answer_id or len(answer_id) > 64:
        raise ButtonValueError("not a feedback vote")
    return answer_id, vote == "up"


def render_text(text: str) -> Message:
    """A short message of ours around user-supplied text (already worded, escaped here)."""
    escaped = escape_mrkdwn(text)
    return paginate(sections(escaped), escaped)[0]


THINKING = "Thinking…"
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a minute."
