"""The reader of descriptions: each fact yes / no / unknown, with a confidence and the
founder's own words; silence is never "no"; the shipped model is the one the repo trains."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphs.assessment.check import check_result
from graphs.assessment.evaluation import load_situations
from graphs.assessment.reader import Reader
from graphs.assessment.reader.features import char_gram_rows, said_elsewhere
from graphs.assessment.reader.model import ARTEFACT, FACT_GROUPS, SETTLES_ALONE, ReaderModel
from graphs.assessment.reader.spans import spans
from graphs.assessment.reader.train import (
    FEATURE_VERSION,
    TrainingDataError,
    _example,
    corpus_digest,
    load_examples,
)

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Reader:
    return Reader(tmp_path_factory.mktemp("models") / "wordllama")


def test_a_stated_fact_is_read_with_the_founders_own_words(reader: Reader) -> None:
    text = "We're a seed startup and our chatbot pilot has been stuck in staging since March."
    reading = reader.read(text)
    stage, pilot = reading.facts["stage"], reading.facts["pilot_stalled"]
    assert stage.value == "seed" and pilot.value is True
    for read in (stage, pilot):
        assert read.evidence is not None
        assert text[read.evidence.start : read.evidence.end] == read.evidence.text
        assert 0.0 < read.confidence <= 1.0


def test_silence_is_unknown_never_no(reader: Reader) -> None:
    reading = reader.read("We sell bicycles in Utrecht.")
    facts = reading.to_facts()
    assert all(v is not True for v in facts.signals.values())
    assert all(v is not True for v in facts.disqualifiers.values())
    assert sum(1 for v in facts.signals.values() if v is False) < 2  # no "no" from silence


def test_a_denial_is_read_as_no_and_a_statement_as_yes(reader: Reader) -> None:
    denied = reader.read("We don't use an agency at all, everything is built by our own team.")
    stated = reader.read("The agency we pay owns the whole codebase and nobody here can push back.")
    assert denied.facts["agency_dependence"].value is False
    assert stated.facts["agency_dependence"].value is True


def test_several_facts_in_one_sentence_are_each_read(reader: Reader) -> None:
    text = (
        "Series A, 14 engineers, our demo never made it to production and I'm still the one "
        "debugging it at 2am"
    )
    facts = reader.read(text).to_facts()
    assert facts.stage == "series_ab"
    assert facts.signals.get("founders_firefighting") is True


def test_a_typo_keeps_most_of_what_the_word_looks_like() -> None:
    rows = char_gram_rows(["never went live", "nevr went live", "hired two engineers"])
    typo, unrelated = rows[1] @ rows[0], rows[2] @ rows[0]
    assert typo > 0.6 and unrelated < 0.1


def test_a_typo_does_not_hide_a_stated_fact(reader: Reader) -> None:
    reading = reader.read("our pilot w/ the bank nevr went live, its been 'almost done' 4 months")
    assert reading.facts["pilot_stalled"].value is True


def test_what_happened_at_another_company_is_not_the_founders_own_fact(reader: Reader) -> None:
    story = "At my previous startup the prototypes never shipped — here we ship every week."
    assert reader.read(story).facts["prototypes_not_shipping"].value is None
    own = "Our prototypes never ship, just like at my previous startup."
    assert reader.read(own).facts["prototypes_not_shipping"].value is True


def test_a_span_is_said_elsewhere_up_to_its_sentence_start() -> None:
    text = "Seed. At my last company we had the mess — the pilot never went live. Ours is fine."
    pilot, ours = text.index("the pilot"), text.index("Ours")
    assert said_elsewhere(text, pilot, pilot + 30)
    assert not said_elsewhere(text, ours, len(text))


def test_what_the_company_used_to_do_is_not_what_it_does_now() -> None:
    text = "Three years ago I was patching the bot at 2am. Now our CTO owns all of it."
    patching, now = text.index("patching"), text.index("Now")
    assert said_elsewhere(text, patching, patching + 20)
    assert not said_elsewhere(text, now, len(text))
    assert said_elsewhere("we used to ship nothing", 0, 23)


def test_a_fund_asking_about_its_own_portfolio_company_describes_its_own_situation() -> None:
    text = "One of our portfolio companies has an interim CTO who mapped the architecture."
    assert not said_elsewhere(text, 0, len(text))
    compared = "One of our other portfolio companies had the same mess."
    assert said_elsewhere(compared, 0, len(compared))


def test_a_fact_said_across_short_sentences_is_read(reader: Reader) -> None:
    read = reader.read("boss says we need AI. for what? no clue.").facts["problem_undefined"]
    assert read.value is True
    # the evidence joins short sentences: "for what?" alone says nothing
    assert read.evidence is not None and read.evidence.text in (
        "for what? no clue.",
        "boss says we need AI. for what?",
    )


@pytest.mark.parametrize("fragment", ["she's excellent", "not another leader."])
def test_a_reason_not_to_hire_never_rests_on_a_fragment(reader: Reader, fragment: str) -> None:
    """A fragment reads as a strong CTO on its own; it must not overturn a recommendation."""
    assert reader.model.read(fragment, reader.featurizer).facts["strong_cto_owns_ai"].value is None


def test_a_number_with_a_thousands_comma_stays_in_one_clause() -> None:
    text = "A 12,000-person telco, and our pilot is stuck"
    assert [s.text for s in spans(text)][1:] == ["A 12,000-person telco", "our pilot is stuck"]


def test_spans_cover_sentences_and_their_clauses_with_exact_offsets() -> None:
    text = "We raised a seed round. The pilot is stuck, and I fix it at night; help!"
    found = spans(text)
    texts = [s.text for s in found]
    assert texts[:2] == ["We raised a seed round.", "The pilot is stuck, and I fix it at night"]
    assert {"The pilot is stuck", "I fix it at night", "help!"} <= set(texts)
    assert all(text[s.start : s.end] == s.text for s in found)


def test_a_check_that_reads_nothing_decisive_asks_instead_of_saying_not_yet(
    reader: Reader,
) -> None:
    result = check_result(reader.read("Hi! We're a company in Rotterdam. Thoughts?"))
    assert result.recommendation is None and result.leaning is not None
    assert 1 <= len(result.questions) <= 3
    assert result.undecided_because


def test_the_shipped_model_was_trained_on_the_committed_corpus() -> None:
    model = ReaderModel.load(ARTEFACT)
    assert model.manifest["corpus_sha256"] == corpus_digest()
    assert model.manifest["feature_version"] == FEATURE_VERSION
    assert set(model.models) == {"stage", *FACT_GROUPS}
    assert ARTEFACT.stat().st_size < 2_000_000  # small enough to ship in the wheel


def test_the_training_corpus_covers_every_fact_both_ways() -> None:
    examples = load_examples()
    for key in FACT_GROUPS:
        said = [e.labels[key] for e in examples if key in e.labels]
        assert said.count(True) >= 40 and said.count(False) >= 20, key
    assert sum(1 for e in examples if not e.labels) >= 300  # texts that state nothing


def _runs(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9$%]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_training_text_copies_words_from_a_golden_situation() -> None:
    """The golden halves measure reading words nobody trained on: a training text that
    shares six words in a row with a situation would let the reader memorise the answer."""
    golden: dict[tuple[str, ...], str] = {}
    for half in ("dev", "test"):
        for item in load_situations(GOLDEN / "situations" / f"{half}.yaml"):
            golden.update(dict.fromkeys(_runs(item.text), item.id))
    copied = [
        (e.text, golden[run]) for e in load_examples() for run in _runs(e.text) if run in golden
    ]
    assert copied == []


@pytest.mark.parametrize(
    "item",
    [
        {"labels": {}},
        {"text": "x", "labels": {"made_up": True}},
        {"text": "x", "labels": {"stage": "unicorn"}},
    ],
)
def test_a_malformed_training_item_is_refused_by_name(item: dict) -> None:
    with pytest.raises(TrainingDataError, match="item 3"):
        _example(item, "file.yaml item 3")


def test_a_bundled_model_needs_no_network_and_no_torch() -> None:
    import sys

    assert "torch" not in sys.modules
    assert Path(ARTEFACT).suffix == ".npz"


def test_a_context_fact_that_settles_an_option_alone_needs_a_reason_s_surety() -> None:
    """Read wrongly, such a fact overturns the rest of the text as a reason not to hire
    does ("we'd welcome a view" read as "a few hours a month would do": advisor), so it
    needs the same surety; the rubric says which facts those are."""
    from graphs.assessment.decide import decide
    from graphs.models import CONTEXT_KEYS, Facts

    alone = {k for k in CONTEXT_KEYS if decide(Facts(context={k: True})).decided}
    assert alone == SETTLES_ALONE == {"needs_occasional_input"}
    model = ReaderModel.load()
    for key in CONTEXT_KEYS:
        group = "disqualifiers" if key in alone else "context"
        assert model.threshold(key) == model.thresholds[group], key
    assert model.thresholds["disqualifiers"] > model.thresholds["context"]
