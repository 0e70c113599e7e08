"""Parsing what language models actually answer (pure functions, no model)."""

from __future__ import annotations

import math

import pytest

from scanner.judge.llm import p_yes_from_top_logprobs, parse_yes_no


@pytest.mark.parametrize(
    "text",
    ["JA", "Ja", "ja.", " JA\n\nHet fragment noemt ouder-en-kindgroepen.", "**Ja**", "Antwoord: JA", "Yes",
     "<|im_start|>JA", "ja, want de gemeente financiert", "Het antwoord is JA.", "`JA`", "- ja"],
)  # fmt: skip
def test_yes_answers(text: str) -> None:
    assert parse_yes_no(text) == 1.0


@pytest.mark.parametrize(
    "text",
    ["NEE", "Nee.", "nee, het fragment gaat over afval", "**NEE**", "Antwoord: nee", "No", "Het antwoord is NEE.",
     "Neen", "\n\nNEE<|im_end|>"],
)  # fmt: skip
def test_no_answers(text: str) -> None:
    assert parse_yes_no(text) == 0.0


@pytest.mark.parametrize(
    "text",
    ["", "Misschien", "Jazeker niet duidelijk", "Neemt de gemeente", "Ja en nee",
     "Het fragment beschrijft een buurthuis maar zegt niets over jongeren; ja of nee is lastig te zeggen."],
)  # fmt: skip
def test_unclear_answers(text: str) -> None:
    assert parse_yes_no(text) is None


def test_probability_from_top_logprobs_sums_spellings() -> None:
    top = {"JA": math.log(0.5), "Ja": math.log(0.2), "NEE": math.log(0.2), "De": math.log(0.1)}
    assert p_yes_from_top_logprobs(top) == pytest.approx(0.7 / 0.9)
    assert p_yes_from_top_logprobs({"De": -0.1, "Het": -2.0}) is None


@pytest.mark.parametrize(
    ("answer", "expected"), [("JA", 1.0), ("Nee, het fragment gaat over afval.", 0.0), ("Misschien", 0.5)]
)
def test_a_langchain_chat_model_provider_without_logprobs_is_read_from_its_answer(answer: str, expected: float) -> None:
    """The path of OpenAI-compatible and Ollama servers, with LangChain's own fake chat model in their place."""
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from scanner.judge.llm import ChatModelBackend

    backend = ChatModelBackend(FakeListChatModel(responses=[answer]), "fake/chat")
    assert backend.id == "fake/chat"
    assert backend.p_yes("Antwoord met JA of NEE.", "Gaat dit over buurthuizen?") == expected
