"""Parsing what language models actually answer (pure functions, no model)."""

from __future__ import annotations

import math

import pytest

from scanner.judge.llm import grade_from_top_logprobs, parse_grade


@pytest.mark.parametrize(
    ("text", "letter"),
    [("A", "A"), ("b", "B"), (" C\n\nDe zin gaat over ouderen.", "C"), ("**D**", "D"), ("Antwoord: B", "B"),
     ("<|im_start|>A", "A"), ("A = gedekt", "A"), ("optie C", "C"), ("Het antwoord is D.", "D"), ("`B`", "B"),
     ("(A) de gemeente financiert ouder-en-kindgroepen", "A"), ("- d", "D"), ("Grade: C", "C")],
)  # fmt: skip
def test_letters_in_messy_answers(text: str, letter: str) -> None:
    assert parse_grade(text) == letter


@pytest.mark.parametrize(
    "text",
    ["", "Misschien", "Dat hangt ervan af", "Ja", "A of B, dat is lastig te zeggen", "Aanvullend beleid",
     "De zin noemt een buurthuis maar zegt niets over jongeren."],
)  # fmt: skip
def test_unclear_answers(text: str) -> None:
    assert parse_grade(text) is None


def test_grade_from_top_logprobs_sums_spellings() -> None:
    top = {"A": math.log(0.5), " A": math.log(0.2), "B": math.log(0.2), "De": math.log(0.1)}
    probs = grade_from_top_logprobs(top)
    assert probs is not None
    assert probs["A"] == pytest.approx(0.7 / 0.9) and probs["B"] == pytest.approx(0.2 / 0.9)
    assert probs["C"] == probs["D"] == 0.0
    assert grade_from_top_logprobs({"De": -0.1, "Het": -2.0}) is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("A", {"A": 1.0, "B": 0.0, "C": 0.0, "D": 0.0}),
     ("C, want het gaat over ouderen.", {"A": 0.0, "B": 0.0, "C": 1.0, "D": 0.0}),
     ("Misschien", {"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25})],
)  # fmt: skip
def test_a_langchain_chat_model_provider_without_logprobs_is_read_from_its_answer(
    answer: str, expected: dict[str, float]
) -> None:
    """The path of OpenAI-compatible and Ollama servers, with LangChain's own fake chat model in their place."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from scanner.judge.llm import ChatModelBackend

    backend = ChatModelBackend(FakeListChatModel(responses=[answer]), "fake/chat")
    assert backend.id == "fake/chat"
    assert backend.grade("Antwoord met A, B, C of D.", "Beoordeel de zin.") == expected
