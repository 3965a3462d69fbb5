"""The field report ships verbatim, with headings that mark its real structure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.corpus import FIELD_REPORT_FILE, field_report_labels
from knowledge.sources import split_front_matter

SHARED_REPORT = Path(__file__).resolve().parents[2] / "shared" / "knowledge" / "field-report.txt"


def _words_of(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def test_bundled_report_is_the_shared_text_verbatim() -> None:
    if not SHARED_REPORT.exists():
        pytest.skip(f"{SHARED_REPORT} is not beside this checkout")
    meta, body = split_front_matter(FIELD_REPORT_FILE.read_text(encoding="utf-8"))
    bundled = [re.sub(r"^#{1,6} ", "", line) for line in body.splitlines()]
    assert _words_of(bundled) == _words_of(SHARED_REPORT.read_text(encoding="utf-8").splitlines())
    assert "verbatim" in meta["attribution"]


def test_headings_mark_the_reports_structure() -> None:
    labels = field_report_labels()
    signals = [label for label in labels if "Eight trigger signals" in label and "› " in label]
    assert [label.rsplit("› ", 1)[1][:2] for label in signals] == [f"{i}." for i in range(1, 9)]
    stages = [label.rsplit("› ", 1)[1] for label in labels if "Stage-by-stage fit › " in label]
    assert [s.split(":")[0] for s in stages] == [
        "Seed",
        "Series A or B",
        "PE-backed SMB",
        "Enterprise department",
    ]
    weeks = [
        label.rsplit("› ", 1)[1][:6] for label in labels if "30-day evaluation contract ›" in label
    ]
    assert weeks == ["Week 1", "Week 2", "Week 3", "Week 4"]
    for section in (
        "The simple rule",
        "When not to hire a Fractional AI CTO",
        "Cost of delay: the quiet part",
        "What good looks like after 30 days",
        "Full-time CTO, agency, advisor, or fractional AI CTO?",
    ):
        assert f"Field report › {section}" in labels


def test_the_report_parsed_at_run_time_is_the_report_in_the_index(advisor) -> None:
    """The rubric and the answer line cite chunks parsed from the bundled file: the very
    chunks retrieval and the audit refer to, so every citation resolves."""
    from knowledge.corpus import field_report_chunks
    from knowledge.scope import DataScope

    ids = [c.chunk_id for c in field_report_chunks()]
    assert len(advisor.index.get_chunks(ids, DataScope.public())) == len(ids)
