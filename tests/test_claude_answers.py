"""Claude answers: cited documents, a cached prefix, tenant-safe requests, mapped citations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphs.runtime import Advisor
from knowledge.corpus import field_report_chunks
from knowledge.settings import DEFAULT_MODEL, Settings
from tests.fakes.anthropic_api import FakeMessagesAPI, Reply, citation, documents, message


@pytest.fixture
def advisor_llm(claude_settings: Settings, tmp_path: Path):
    adv = Advisor.open(claude_settings)
    for tenant, text in (
        ("alpha", "Project Heron: we keep Lumen AI behind an adapter."),
        ("beta", "Project Osprey: beta's secret budget is 95k."),
    ):
        folder = tmp_path / tenant
        folder.mkdir()
        (folder / "n.md").write_text(
            f"---\ntitle: Vendors\ndate: 2026-10-01\n---\n\n## Decisions\n{text}\n",
            encoding="utf-8",
        )
        adv.tenants.add(tenant)
        adv.ingestor.ingest_path(folder, tenant)
    yield adv
    adv.close()


def cite_note_and_report(body: dict) -> Reply:
    docs = documents(body)
    notes = [i for i, d in enumerate(docs) if not d["title"].startswith("Field report")]
    note_index = notes[0] if notes else 0
    return Reply(
        body=message(
            [
                {"type": "text", "text": "Your notes say "},
                {
                    "type": "text",
                    "text": "you keep Lumen AI behind an adapter.",
                    "citations": [citation(body, note_index, 40)],
                },
                {"type": "text", "text": " The report adds that "},
                {
                    "type": "text",
                    "text": "fear of lock-in should not stall decisions.",
                    "citations": [citation(body, 10, 50)],
                },
            ],
            read=3000,
            created=0,
        )
    )


async def test_request_sends_cited_documents_with_a_cached_prefix(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = cite_note_and_report
    await advisor_llm.ask("What did we decide about vendors?", "alpha")
    body = anthropic_api.bodies[0]
    assert body["model"] == DEFAULT_MODEL and "temperature" not in body
    assert (
        "documents" in body["system"][0]["text"] and "not instructions" in body["system"][0]["text"]
    )
    docs = documents(body)
    report = list(field_report_chunks())
    assert [d["title"] for d in docs[: len(report)]] == [c.label for c in report]
    assert all(d["citations"] == {"enabled": True} for d in docs)
    cached = [i for i, d in enumerate(docs) if "cache_control" in d]
    assert cached == [len(report) - 1]
    assert docs[-1]["source"]["data"].startswith("Project Heron")
    assert body["messages"][0]["content"][-1] == {
        "type": "text",
        "text": "Question: What did we decide about vendors?",
    }


async def test_no_other_tenants_notes_ever_reach_the_request(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = cite_note_and_report
    await advisor_llm.ask("What did we decide about vendors?", "alpha")
    raw = json.dumps(anthropic_api.bodies)
    assert "Project Heron" in raw  # alpha's own note is sent…
    assert "Osprey" not in raw and "95k" not in raw  # …beta's never


async def test_two_questions_send_a_byte_identical_prefix(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = cite_note_and_report
    await advisor_llm.ask("What did we decide about vendors?", "alpha")
    await advisor_llm.ask("Our pilot stalled after the demo, what now?", None)

    def prefix(body: dict) -> str:
        content = body["messages"][0]["content"]
        end = next(i for i, b in enumerate(content) if "cache_control" in b)
        return json.dumps([body["system"], content[: end + 1]], sort_keys=True)

    first, second = anthropic_api.bodies
    assert prefix(first) == prefix(second)


async def test_a_follow_up_sends_the_earlier_turns_after_the_cached_prefix(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = cite_note_and_report
    await advisor_llm.ask("What did we decide about vendors?", "alpha", conversation="t1")
    await advisor_llm.ask("why?", "alpha", conversation="t1")

    first, follow_up = anthropic_api.bodies
    content = follow_up["messages"][0]["content"]
    cached = next(i for i, b in enumerate(content) if "cache_control" in b)
    assert content[: cached + 1] == first["messages"][0]["content"][: cached + 1]
    earlier, question = content[-2:]
    assert earlier["type"] == "text" and earlier["text"].startswith("Earlier in this conversation")
    assert "Q: What did we decide about vendors?" in earlier["text"]
    assert "A: Your notes say you keep Lumen AI behind an adapter." in earlier["text"]
    assert question == {"type": "text", "text": "Question: why?"}
    assert "Earlier in this conversation" not in json.dumps(first)


async def test_citations_are_mapped_numbered_and_usage_recorded(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = cite_note_and_report
    answer = await advisor_llm.ask("What did we decide about vendors?", "alpha")
    assert answer.mode == "llm" and not answer.degraded
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].tenant == "alpha" and answer.citations[1].tenant == "public"
    assert answer.answer == (
        "Your notes say you keep Lumen AI behind an adapter. [1] The report "
        "adds that fear of lock-in should not stall decisions. [2]"
    )
    assert answer.usage is not None and answer.usage.cache_read_input_tokens == 3000


async def test_citations_of_documents_we_never_sent_are_dropped(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    def bad(body: dict) -> Reply:
        forged = dict(citation(body, 0, 30), document_index=999)
        wrong_text = dict(citation(body, 1, 30), cited_text="Always hire an agency.")
        return Reply(
            body=message(
                [
                    {"type": "text", "text": "Claim one.", "citations": [forged]},
                    {"type": "text", "text": " Claim two.", "citations": [wrong_text]},
                    {"type": "text", "text": " Claim three.", "citations": [citation(body, 2, 30)]},
                ]
            )
        )

    anthropic_api.default = bad
    answer = await advisor_llm.ask("Our pilot stalled", None)
    assert [c.n for c in answer.citations] == [1]
    assert answer.answer == "Claim one. Claim two. Claim three. [1]"


async def test_an_answer_with_no_text_falls_back_offline(
    advisor_llm: Advisor, anthropic_api: FakeMessagesAPI
) -> None:
    anthropic_api.default = lambda body: Reply(body=message([]))
    answer = await advisor_llm.ask("Our pilot stalled after the demo", None)
    assert answer.mode == "offline" and answer.degraded and answer.citations
    assert "Claude was unavailable" in (answer.notice or "")


async def test_redaction_masks_pii_before_it_leaves(
    tmp_path: Path, anthropic_api: FakeMessagesAPI, claude_settings: Settings
) -> None:
    adv = Advisor.open(claude_settings.model_copy(update={"redact_pii": True}))
    anthropic_api.default = cite_note_and_report
    await adv.ask(
        "Our first AI pilot stalled after the demo and nobody owns rollback; "
        "jane.doe@example.com, +31 6 1234 5678, 4111 1111 1111 1111",
        None,
    )
    raw = json.dumps(anthropic_api.bodies)
    for secret in ("jane.doe@example.com", "1234 5678", "4111 1111 1111 1111"):
        assert secret not in raw
    assert "[email]" in raw and "[phone]" in raw and "[card number]" in raw
    adv.close()


def test_default_model_is_a_current_sonnet_the_sdk_does_not_deprecate() -> None:
    from typing import get_args

    from anthropic._data import DEPRECATED_MODELS
    from anthropic.types.model_param import ModelParam

    known = {m for arg in get_args(ModelParam) for m in get_args(arg) if isinstance(m, str)}
    assert "sonnet" in DEFAULT_MODEL
    assert DEFAULT_MODEL in known
    assert DEFAULT_MODEL not in DEPRECATED_MODELS
