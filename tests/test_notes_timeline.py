"""Notes read as a timeline: asked where things stand, the newest dated note on the subject
answers; an older statement it replaced is left out or shown, with its date, as superseded;
an older note on another subject is still cited as it is; no other client's note counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs.models import Answer
from graphs.qa.evaluation import keeps_standing, reads_as_timeline
from graphs.qa.intent import asks_current_state, asks_quantity, time_terms
from graphs.runtime import Advisor


def _write_notes(folder: Path, notes: dict[str, tuple[str, str, str]]) -> Path:
    """Notes as an operator writes them: file name → (date, title, body under the title)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (date, title, body) in notes.items():
        (folder / name).write_text(
            f"---\nclient: Orbit Freight\ndate: {date}\ntitle: {title}\n---\n{body}\n",
            encoding="utf-8",
        )
    return folder


def _ingest(advisor: Advisor, tenant: str, folder: Path) -> None:
    advisor.tenants.add(tenant)
    report = advisor.ingestor.ingest_path(folder, tenant)
    assert not report.failed


def _lines_with(answer: Answer, words: str) -> list[str]:
    return [line for line in answer.answer.splitlines() if words in line]


def _said_only_as_superseded(answer: Answer, words: str, newest: str) -> bool:
    """Each line quoting `words` says it was superseded, on the newest note's date, and shows
    the older note's own date."""
    return all(
        f"superseded on {newest}" in line and "Earlier (2026-" in line
        for line in _lines_with(answer, words)
    )


ROLLOUT = {
    "plan.md": (
        "2026-09-01",
        "Onboarding plan",
        "## Rollout\nThe scanner rollout now reaches 12 warehouses in the north region, each "
        "with its own trainer.\n\n## Context\nThe trainers travel from the Leeds office.",
    ),
    "review.md": (
        "2026-10-01",
        "Monthly review",
        "## Rollout\nThe scanner rollout reaches 12 warehouses; the training backlog is "
        "cleared.\n\n## Risks\nTwo trainers leave in December.",
    ),
    "numbers.md": (
        "2026-11-20",
        "Operating numbers",
        "## Numbers\nSites live: 19 warehouses since 14 November, scan error rate 2%.\n\n"
        "## Rhythm\nEvery Monday: the scanner review with the site leads.",
    ),
}


async def test_the_newest_count_leads_and_an_older_count_is_shown_as_superseded(
    advisor: Advisor, tmp_path: Path
) -> None:
    """The November figure is worded apart from the question ('sites live', under
    'Numbers'); the older ones share the question's words. The newest count still leads."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", ROLLOUT))
    answer = await advisor.ask("how many warehouses does the scanner rollout reach now?", "orbit")
    assert "19 warehouses" in (answer.lead or "")
    assert "2026-11-20" in (answer.lead or "")
    assert _said_only_as_superseded(answer, "12 warehouses", "2026-11-20")


@pytest.mark.parametrize(
    "question",
    [
        "how many cases are in the eval set now?",
        "how many test cases does the eval set have at this point?",
        "eval set - how many cases currently?",
    ],
)
async def test_the_sample_client_s_current_eval_count_is_the_november_one(
    demo_advisor: Advisor, question: str
) -> None:
    """Northwind's 1 and 8 October notes count 212 cases; its 11 November note says 248."""
    answer = await demo_advisor.ask(question, "northwind")
    assert "248 cases" in (answer.lead or "")
    assert all("superseded" in line for line in _lines_with(answer, "212 cases"))


OWNERS = {
    "kickoff.md": (
        "2026-09-05",
        "Kickoff",
        "## Context\nDana Whitfield looks after the billing export until the finance lead "
        "starts.\n\n## Scope\nThirty days, two days a week.",
    ),
    "decisions.md": (
        "2026-10-20",
        "Decisions",
        "## Decisions\n- Billing export owner from 20 October: Ravi Menon (finance lead).\n"
        "- The weekly review moves to Tuesdays.",
    ),
}


@pytest.mark.parametrize(
    "question",
    ["who owns the billing export now?", "is dana still looking after the billing export?"],
)
async def test_an_ownership_that_changed_is_answered_with_the_new_owner(
    advisor: Advisor, tmp_path: Path, question: str
) -> None:
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", OWNERS))
    answer = await advisor.ask(question, "orbit")
    assert "Ravi Menon" in (answer.lead or "")
    assert _said_only_as_superseded(answer, "Dana Whitfield", "2026-10-20")


RETENTION = {
    "security.md": (
        "2026-09-10",
        "Security review",
        "## Decisions\nCustomer call recordings stay in the EU region and are deleted after "
        "30 days.",
    ),
    "owners.md": (
        "2026-11-01",
        "Owners",
        "## Owners\n- Data retention and deletion requests: Marta Costa (operations).\n"
        "- Call routing and the phone system: Ivo Brandt.",
    ),
}


async def test_an_older_note_on_another_subject_is_cited_as_it_stands(
    advisor: Advisor, tmp_path: Path
) -> None:
    """The November owners note names who handles retention and calls; it says nothing on
    how long recordings are kept, so the September rule answers, not marked superseded."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", RETENTION))
    answer = await advisor.ask("are call recordings still deleted after 30 days?", "orbit")
    assert "deleted after 30 days" in answer.answer
    assert any(c.date == "2026-09-10" for c in answer.citations)
    assert not [line for line in _lines_with(answer, "recordings") if "superseded" in line]


async def test_another_client_s_newer_note_neither_answers_nor_supersedes(
    advisor: Advisor, tmp_path: Path
) -> None:
    """A second client's December note on the same words stays out of this client's answer:
    nothing of it is quoted and nothing of ours is marked superseded on its date."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "orbit", ROLLOUT))
    other = {
        "numbers.md": (
            "2026-12-15",
            "Operating numbers",
            "## Numbers\nThe scanner rollout now reaches 99 warehouses.",
        )
    }
    _ingest(advisor, "zephyr", _write_notes(tmp_path / "zephyr", other))
    answer = await advisor.ask("how many warehouses does the scanner rollout reach now?", "orbit")
    assert "99 warehouses" not in answer.answer
    assert "2026-12-15" not in answer.answer
    assert {c.tenant for c in answer.citations} <= {"orbit", "public"}
    assert "19 warehouses" in (answer.lead or "")


def _labelled_superseded(answer: Answer, words: str) -> list[str]:
    return [line for line in _lines_with(answer, words) if "superseded" in line]


HANDHELDS = {
    "memo.md": (
        "2026-09-20",
        "Decision memo",
        "## What shipped\nThe scanner app no longer runs on the old handhelds; every site uses "
        "the new devices.",
    ),
    "risks.md": (
        "2026-11-05",
        "Risk register",
        "## Closed\n- H1 Old handhelds (closed 12 September, every site moved to the new "
        "devices).\n\n## Risks\n- H2 Battery life. The new devices last one shift. Owner: Ada.",
    ),
}


async def test_an_older_note_that_agrees_with_a_newer_one_is_not_labelled_superseded(
    advisor: Advisor, tmp_path: Path
) -> None:
    """The November register closes the risk the September memo already reported gone: both
    say the same, so the memo is still true and is cited as it stands."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", HANDHELDS))
    answer = await advisor.ask("are the old handhelds gone yet?", "orbit")
    assert any(c.date == "2026-11-05" for c in answer.citations)
    assert not _labelled_superseded(answer, "no longer runs on the old handhelds")


@pytest.mark.parametrize(
    ("question", "still_true"),
    [
        ("scout off the laptop yet?", "Scout no longer runs on anyone's laptop"),
        ("who owns the eval set and the release gate now?", "she takes over the eval set"),
        ("We are allowed already to put ticket text into prompts?", "until Marco Bianchi signs"),
    ],
)
async def test_the_sample_client_s_older_notes_that_still_hold_are_not_labelled_superseded(
    demo_advisor: Advisor, question: str, still_true: str
) -> None:
    """Northwind's newer notes repeat these (the laptop risk closed, Priya Raman owning the
    eval set, Marco's sign-off still pending): none of them says otherwise."""
    answer = await demo_advisor.ask(question, "northwind")
    assert not _labelled_superseded(answer, still_true)


TEST_SET = {
    "review.md": (
        "2026-10-01",
        "Quality review",
        "## Numbers\nThe test set has 140 cases; the last run passed 86%.\n\n## Rules\nThe "
        "85% threshold is a starting point; we raise it to 90% once the set passes 95%.\n\n"
        "## Risks\n- Q2 Grader drift. The grader and the scanner model share a vendor. "
        "Mitigation: a weekly hand check of 15 cases. Owner: Ada Lind.",
    ),
    "numbers.md": (
        "2026-11-20",
        "Operating numbers",
        "## Numbers\nPass rate: 86% on 1 October, 93% on 18 November with 180 cases.",
    ),
    "kickoff.md": (
        "2026-09-02",
        "Kickoff",
        "## Scope\nThirty days, two days a week, with the warehouse leads.\n\n## People\n"
        "Ada Lind runs the scanner model; Ivo Brandt the warehouses.",
    ),
    "vendors.md": (
        "2026-09-15",
        "Vendor review",
        "## Decision\nThe scanner model stays with its current vendor until the spring review.",
    ),
}


async def test_an_older_statement_about_another_quantity_in_the_same_note_is_not_labelled(
    advisor: Advisor, tmp_path: Path
) -> None:
    """The October review counts the test set (replaced by November's 180) and, in the same
    note, a weekly hand check of 15 cases: another quantity, still true."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", TEST_SET))
    answer = await advisor.ask("how many cases does the test set have now?", "orbit")
    assert "180 cases" in (answer.lead or "")
    assert _said_only_as_superseded(answer, "140 cases", "2026-11-20")
    assert not _labelled_superseded(answer, "hand check of 15 cases")


async def test_a_threshold_is_not_superseded_by_a_newer_pass_rate(
    advisor: Advisor, tmp_path: Path
) -> None:
    """A rule with a number in it ("raise it to 90% once the set passes 95%") is no
    measurement: November's pass rate replaces the October run, not the rule."""
    _ingest(advisor, "orbit", _write_notes(tmp_path / "notes", TEST_SET))
    answer = await advisor.ask("what is the latest pass rate of the test set?", "orbit")
    assert "93% on 18 November" in (answer.lead or "")
    assert not _labelled_superseded(answer, "threshold is a starting point")


@pytest.mark.parametrize(
    ("question", "other_matter"),
    [
        ("roughly how many test cases does the scout eval suite have now?", "20 cases"),
        (
            "For the board pack I need the most recent pass rate of the Scout evaluation, and the "
            "date it was measured.",
            "90% threshold",
        ),
        (
            "did anyone ever cancel those two trial accounts that were still billing us every "
            "month?",
            "monthly bill",
        ),
    ],
)
async def test_the_sample_client_s_older_lines_on_another_matter_are_not_labelled(
    demo_advisor: Advisor, question: str, other_matter: str
) -> None:
    """Northwind's grader hand check, its gate threshold and its vendor-bill escalation share
    words with the newer numbers and rhythm, not their subject."""
    answer = await demo_advisor.ask(question, "northwind")
    assert not _labelled_superseded(answer, other_matter)


@pytest.mark.parametrize(
    "question",
    [
        "what did we decide about the vendor?",
        "did we end up switching to the cheaper model?",
        "who's in charge of the release gate?",
        "is Tomasz still on the hook for it?",
        "what is the most recent pass rate?",
    ],
)
def test_questions_about_what_stands_or_was_settled_read_the_newest_notes(question: str) -> None:
    assert asks_current_state(question)


@pytest.mark.parametrize(
    "question", ["who should we hire first?", "what does a fractional AI CTO do?"]
)
def test_questions_without_a_time_or_a_settled_matter_are_not_about_the_current_state(
    question: str,
) -> None:
    assert not asks_current_state(question)


def test_time_words_say_when_and_a_count_asks_for_a_figure() -> None:
    assert time_terms("how many cases are in the eval set now?") == {"now"}
    assert asks_quantity("how many cases are in the eval set now?")
    assert asks_quantity("latest pass rate?")
    assert not asks_quantity("who owns the export now?")


def test_the_timeline_measure_needs_the_newest_first_and_the_older_labelled() -> None:
    older, newer = "The eval set has 212 cases", "94% on 10 November with 248 cases"
    stale = Answer(answer=f"“{older}.” [1] (2026-10-08)\n• “{newer}.” [2]", citations=[])
    right = Answer(
        answer=f"“{newer}.” [1]\n• Earlier (2026-10-08), superseded on 2026-11-11: “{older}.” [2]",
        citations=[],
    )
    assert not reads_as_timeline(stale, (newer,), (older,))
    assert reads_as_timeline(right, (newer,), (older,))


def test_the_still_true_measure_fails_only_a_superseded_label_on_a_statement_that_holds() -> None:
    held = "Scout no longer runs on anyone's laptop."
    shown = Answer(answer=f"“R0 closed.” [1]\n• “{held}” [2] (2026-10-08)", citations=[])
    wrong = Answer(
        answer=f"“R0 closed.” [1]\n• Earlier (2026-10-08), superseded on 2026-10-28: “{held}” [2]",
        citations=[],
    )
    assert keeps_standing(shown, (held,))
    assert not keeps_standing(wrong, (held,))


async def test_a_misspelt_word_is_read_as_the_word_the_notes_use(demo_advisor: Advisor) -> None:
    """'releese' is one letter from the owners note's 'release': the owner line answers."""
    answer = await demo_advisor.ask(
        "whos in charge of the releese gate these days, tomasz stil?", "northwind"
    )
    assert "Eval set, grader and release gate: Priya Raman" in (answer.lead or "")
