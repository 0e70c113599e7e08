"""The LLM-assisted judge: a model's probability of 'JA' per passage, as extra signals for the classifier.

Small local models answer free-form questions badly, so the judge never reads free text from the default model:
it reads the next-token probabilities of JA and NEE. Each question stands alone (no conversation) and carries the
element's label and the first sentence of its description, then the passage with its section, then the
question; the second question about the same passage shares all but its last line, so llama.cpp reuses the
evaluated prefix. Only elements the fast classifier is unsure of are asked (see ``LlmJudge``). Results are cached
by model and prompt hash.

Providers (``llm_provider`` setting), all through LangChain:
- ``llama-cpp`` (default): the packaged Qwen2.5-Coder-1.5B-Instruct GGUF, assembled and hash-checked on first use;
- ``openai``: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, LM Studio), reads logprobs when the
  server gives them and falls back to the answer text;
- ``ollama``: a local Ollama server.
Nothing calls a remote service unless the user configured it.
"""

from __future__ import annotations

import hashlib
import math
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from scanner.errors import ConfigError, ModelUnavailableError
from scanner.evidence import best_span
from scanner.frameworks import Element
from scanner.judge import Judgement, flagged_passages
from scanner.judge.classifier import Classifier, load_classifier
from scanner.judge.features import DocumentStats, element_features
from scanner.judge.prompts import PromptSet, load_prompts
from scanner.retrieval import DutchAnalyzer, ElementRetrieval, RetrievedPassage

__all__ = ["LlmBackend", "LlmJudge", "LlmScorer", "ScriptedLlm", "make_llm", "parse_yes_no"]

PASSAGES_PER_ELEMENT = 2
PASSAGE_CHARS = 360
SECOND_PASSAGE_BELOW = 0.6  # ask about the second passage only when the first one does not convince
# A cascade: the fast classifier decides where it is this sure, and the model is asked only about the rest.
# Chosen by leave-one-document-out figures (scripts/train_judge.py prints the sweep): at 0.6 about a quarter of
# the elements are asked (24 model calls for a 15-page document), at the fast judge's macro-F1; asking more
# lowered it, since the packaged model's answers carry little signal on the labelled documents.
GATE_CONFIDENCE = 0.6


class LlmBackend(Protocol):
    @property
    def id(self) -> str: ...

    def p_yes(self, system: str, user: str) -> float:
        """Probability that the answer is JA (normalised over JA and NEE)."""
        ...


# --- parsing model outputs (pure functions, tested on messy real outputs) -------------------------


def parse_yes_no(text: str) -> float | None:
    """1.0 for a yes, 0.0 for a no, None when the answer says neither. Tolerates what small models write:
    markup (``**Ja**``), prefixes ("Antwoord: nee"), chat tokens, explanations after the answer, English."""
    import re

    t = re.sub(r"<\|[^|>]*\|>", " ", text).strip().lower()
    t = re.sub(r"^(antwoord|answer|assistant|het antwoord is|mijn antwoord is)\s*[:\-]?\s*", "", t)
    t = t.lstrip("\"'`*_>#:-. \n\t")
    head = re.findall(r"[a-z]+", t)[:4]
    both = any(w in ("ja", "yes") for w in head) and any(w in ("nee", "neen", "no") for w in head)
    if both:
        return None  # "Ja en nee"
    if re.match(r"(ja|yes|j|y)\b", t):
        return 1.0
    if re.match(r"(nee|neen|no|n)\b", t):
        return 0.0
    # The answer word later in a short reply ("Het antwoord is NEE."), but not inside a longer explanation.
    words = re.findall(r"[a-z]+", t)
    if len(words) <= 8:
        if any(w in ("ja", "yes") for w in words) and not any(w in ("nee", "neen", "no") for w in words):
            return 1.0
        if any(w in ("nee", "neen", "no") for w in words) and not any(w in ("ja", "yes") for w in words):
            return 0.0
    return None


def p_yes_from_top_logprobs(top: Mapping[str, float]) -> float | None:
    """P(JA) from one position's top log-probabilities, summing the spellings of yes and no."""
    yes = no = 0.0
    for token, lp in top.items():
        ans = parse_yes_no(token)
        if ans == 1.0:
            yes += math.exp(lp)
        elif ans == 0.0:
            no += math.exp(lp)
    if yes + no == 0.0:
        return None
    return yes / (yes + no)


# --- backends -------------------------------------------------------------------------------------


class ScriptedLlm:
    """A fake for unit tests: answers from a function of the prompt, counts calls."""

    def __init__(self, answer: Callable[[str, str], float], model_id: str = "scripted/test") -> None:
        self._answer = answer
        self._id = model_id
        self.calls = 0

    @property
    def id(self) -> str:
        return self._id

    def p_yes(self, system: str, user: str) -> float:
        self.calls += 1
        return self._answer(system, user)


class LlamaCppBackend:
    """llama.cpp, constructed through LangChain's LlamaCpp wrapper; P(JA) read from the next-token logits.

    The prompt is evaluated directly on the wrapped ``llama_cpp.Llama``: only the part after the longest prefix
    shared with the previous prompt is decoded (the KV cache keeps the rest), and only the last token's logits
    are computed (no ``logits_all``, which would add the 151k-word output layer to every prompt token).
    """

    YES = ("JA", "Ja", "ja", " JA", " Ja", " ja")
    NO = ("NEE", "Nee", "nee", " NEE", " Nee", " nee")

    def __init__(self, model_path: Path, *, threads: int | None = None, n_ctx: int = 2048) -> None:
        try:
            import warnings

            with warnings.catch_warnings():
                # langchain-community announces its sunset on import; its LlamaCpp wrapper still works, and
                # the wrapper is the one place that would change when it moves (see the module docstring).
                warnings.simplefilter("ignore", DeprecationWarning)
                from langchain_community.llms import LlamaCpp
        except ImportError as exc:
            raise ModelUnavailableError(
                "De lokale LLM-runtime ontbreekt (llama-cpp-python). Installeer beleidsscan opnieuw: pip install -e ."
            ) from exc
        self._path = model_path
        import os

        self._llm = LlamaCpp(
            model_path=str(model_path), n_ctx=n_ctx, n_threads=threads or os.cpu_count() or 1, n_batch=512,
            temperature=0.0, max_tokens=1, seed=0, verbose=False,
        )  # fmt: skip
        self._model = self._llm.client
        self._yes = self._first_tokens(self.YES)
        self._no = self._first_tokens(self.NO) - self._yes
        self._lock = threading.Lock()

    def _first_tokens(self, words: Sequence[str]) -> set[int]:
        return {self._model.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}

    @property
    def id(self) -> str:
        return f"llama-cpp/{self._path.name}"

    def p_yes(self, system: str, user: str) -> float:
        import numpy as np

        prompt = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        m = self._model
        with self._lock:  # one llama.cpp context
            tokens = m.tokenize(prompt.encode(), add_bos=False, special=True)
            if len(tokens) >= m.n_ctx():
                raise ModelUnavailableError(f"Prompt van {len(tokens)} tokens past niet in het contextvenster.")
            shared = 0
            for a, b in zip(m.input_ids[: m.n_tokens], tokens, strict=False):
                if a != b:
                    break
                shared += 1
            m.n_tokens = min(shared, len(tokens) - 1)  # always decode at least one token to get fresh logits
            m.eval(tokens[m.n_tokens :])
            logits = np.ctypeslib.as_array(m._ctx.get_logits(), shape=(m.n_vocab(),)).astype(np.float64)
        top = logits.max()
        yes = float(np.exp(logits[list(self._yes)] - top).sum())
        no = float(np.exp(logits[list(self._no)] - top).sum())
        return yes / (yes + no) if yes + no > 0 else 0.5


class ChatModelBackend:
    """Any LangChain chat model (OpenAI-compatible, Azure, Ollama): logprobs when given, else the answer text."""

    def __init__(self, chat_model: Any, model_id: str) -> None:
        self._chat = chat_model
        self._id = model_id

    @property
    def id(self) -> str:
        return self._id

    def p_yes(self, system: str, user: str) -> float:
        from langchain_core.messages import HumanMessage, SystemMessage
        from langchain_core.output_parsers import StrOutputParser

        msg = self._chat.invoke([SystemMessage(system), HumanMessage(user)])
        logprobs = (getattr(msg, "response_metadata", None) or {}).get("logprobs") or {}
        content = logprobs.get("content") if isinstance(logprobs, dict) else None
        if content:
            top = {t["token"]: t["logprob"] for t in content[0].get("top_logprobs", [])}
            p = p_yes_from_top_logprobs(top)
            if p is not None:
                return p
        answer = parse_yes_no(StrOutputParser().invoke(msg))
        return 0.5 if answer is None else answer


def make_llm(settings: Any) -> LlmBackend:
    """The configured LLM; the default is the packaged local model, never a remote service."""
    provider = settings.llm_provider
    if provider == "llama-cpp":
        from scanner.judge.local_model import ensure_local_model

        path = Path(settings.llm_model) if settings.llm_model else ensure_local_model(settings.home / "models")
        return LlamaCppBackend(path, threads=settings.threads)
    if provider in ("openai", "azure-openai"):
        if not settings.llm_model:
            raise ConfigError("Stel llm_model in (BELEIDSSCAN_LLM_MODEL) voor een OpenAI-compatibel endpoint.")
        try:
            from langchain_openai import AzureChatOpenAI, ChatOpenAI
        except ImportError as exc:
            raise ConfigError("Installeer langchain-openai voor dit endpoint: pip install langchain-openai") from exc
        kwargs = {"model": settings.llm_model, "temperature": 0, "max_tokens": 2, "logprobs": True, "top_logprobs": 10}
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        chat = AzureChatOpenAI(**kwargs) if provider == "azure-openai" else ChatOpenAI(**kwargs)
        return ChatModelBackend(chat, f"{provider}/{settings.llm_model}")
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("Installeer langchain-ollama voor Ollama: pip install langchain-ollama") from exc
        chat = ChatOllama(model=settings.llm_model or "qwen2.5:7b", temperature=0, num_predict=2,
                          base_url=settings.llm_base_url or "http://127.0.0.1:11434")  # fmt: skip
        return ChatModelBackend(chat, f"ollama/{settings.llm_model}")
    raise ConfigError(f"Onbekende LLM-provider '{provider}': kies llama-cpp, openai, azure-openai of ollama.")


# --- cache ----------------------------------------------------------------------------------------


class _Cache:
    """P(JA) by (model, prompt hash) in SQLite, so a rerun costs nothing."""

    def __init__(self, folder: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            # batch workers share the cache: wait for a writer rather than fail, and let readers read meanwhile
            self._db = sqlite3.connect(folder / "llm.sqlite", check_same_thread=False, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, p REAL)")
        self.hits = self.misses = 0

    @staticmethod
    def key(model: str, system: str, user: str) -> str:
        return hashlib.sha256(f"{model}\x00{system}\x00{user}".encode()).hexdigest()

    def get(self, key: str) -> float | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT p FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else float(row[0])

    def put(self, key: str, p: float) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, p))
            self._db.commit()


# --- scoring --------------------------------------------------------------------------------------


def screened_out(r: ElementRetrieval) -> bool:
    """Elements none of whose best three passages carries one of its cues skip the LLM (the same in training).

    Prompt processing (~50 new tokens/s here) is the cost: this keeps a 15-page document to ~15-25 questions.
    """
    return not any(p.cue_hits for p in r.passages[:3])


class LlmScorer:
    """Asks the model about the best passages of each element; returns the LLM features per element."""

    def __init__(self, llm: LlmBackend, *, cache_dir: Path | None = None, prompts: PromptSet | None = None) -> None:
        self.llm = llm
        self.prompts = prompts or load_prompts()
        self.cache = _Cache(cache_dir)
        self.analyzer = DutchAnalyzer()
        self.calls = 0

    def _ask(self, template: str, values: Mapping[str, str]) -> float:
        system = self.prompts.render("system", {})
        user = self.prompts.render(template, values)
        key = _Cache.key(self.llm.id, system, user)
        cached = self.cache.get(key)
        if cached is not None:
            self.cache.hits += 1
            return cached
        self.cache.misses += 1
        self.calls += 1
        p = float(self.llm.p_yes(system, user))
        self.cache.put(key, p)
        return p

    def _passage_text(self, element: Element, p: RetrievedPassage) -> str:
        """The passage, or a window of it around the sentence that carries the element's words."""
        text = p.chunk.text
        if len(text) <= PASSAGE_CHARS:
            return text
        patterns = [pat for cue in element.cues for pat in self.analyzer.cue_patterns(cue)]
        a, b = best_span(text, patterns, [])
        lo = max(0, min(a, len(text) - PASSAGE_CHARS))
        if b - lo < PASSAGE_CHARS:  # room left: add context before the sentence
            lo = max(0, lo - (PASSAGE_CHARS - (b - lo)) // 2)
        cut = text.find(" ", lo) if lo > 0 else 0
        lo = cut + 1 if 0 < cut < lo + 40 else lo
        return text[lo : lo + PASSAGE_CHARS]

    def score_element(
        self, element: Element, r: ElementRetrieval
    ) -> tuple[dict[str, float], dict[str, float], tuple[str, ...]]:
        """(features, P(JA) per chunk id, flagged chunk ids)."""
        flagged = flagged_passages(r)
        candidates = [p for p in r.passages if p.chunk.id not in flagged][:PASSAGES_PER_ELEMENT]
        common = {"label": element.label, "description": element.description.split(". ")[0].rstrip(".") + "."}
        scores: dict[str, float] = {}
        concrete = 0.0
        for n, p in enumerate(candidates):
            values = {
                **common,
                "section": " > ".join(p.chunk.section_path[-2:]) or "-",
                "passage": self._passage_text(element, p),
            }
            scores[p.chunk.id] = self._ask("relevantie", values)
            if n == 0:
                # Same prefix as the question just asked: only the new question is evaluated.
                concrete = self._ask("concreet", values)
                if scores[p.chunk.id] >= SECOND_PASSAGE_BELOW:
                    break
        vals = list(scores.values())
        feats = {
            "llm_max": max(vals, default=0.0),
            "llm_mean": sum(vals) / len(vals) if vals else 0.0,
            "llm_concrete": concrete,
        }
        return feats, scores, flagged

    def score_all(
        self, elements: Sequence[Element], retrievals: Sequence[ElementRetrieval], progress: Any = None
    ) -> list[dict[str, float]]:
        return [f for f, _, _ in self.score_all_detailed(elements, retrievals, progress)]

    def score_all_detailed(
        self,
        elements: Sequence[Element],
        retrievals: Sequence[ElementRetrieval],
        progress: Any = None,
        ask: Sequence[bool] | None = None,
    ) -> list[tuple[dict[str, float], dict[str, float], tuple[str, ...]]]:
        """LLM features per element; elements screened out (or not in ``ask``) get zeros without a question."""
        out: list[tuple[dict[str, float], dict[str, float], tuple[str, ...]]] = []
        for i, (el, r) in enumerate(zip(elements, retrievals, strict=True), start=1):
            if screened_out(r) or (ask is not None and not ask[i - 1]):
                out.append(({"llm_max": 0.0, "llm_mean": 0.0, "llm_concrete": 0.0}, {}, flagged_passages(r)))
            else:
                out.append(self.score_element(el, r))
            if progress:
                progress("judge", i, len(elements), el.id)
        return out


def gate(probabilities: Mapping[str, float], r: ElementRetrieval, threshold: float = GATE_CONFIDENCE) -> bool:
    """True when the model is to be asked: a cue among the best passages and the fast classifier unsure."""
    return not screened_out(r) and max(probabilities.values()) < threshold


class LlmJudge:
    """A cascade: the fast classifier where it is sure; elsewhere the LLM's answers through the llm classifier."""

    name = "llm"

    def __init__(
        self,
        scorer: LlmScorer,
        classifier: Classifier | None = None,
        gate_classifier: Classifier | None = None,
        gate_confidence: float = GATE_CONFIDENCE,
    ) -> None:
        from scanner.judge import default_classifier_path

        self.scorer = scorer
        self.classifier = classifier or load_classifier(default_classifier_path("llm"))
        self.gate_classifier = gate_classifier or load_classifier(default_classifier_path("fast"))
        self.gate_confidence = gate_confidence

    @property
    def classifier_ref(self) -> str:
        c, g = self.classifier, self.gate_classifier
        return f"{c.id}@{c.version} (poort {g.id}@{g.version} < {self.gate_confidence:g})"

    def judge_all(
        self, elements: Sequence[Element], retrievals: Sequence[ElementRetrieval], progress: Any = None
    ) -> list[Judgement]:
        stats = DocumentStats(retrievals)
        base = [element_features(el, r, stats) for el, r in zip(elements, retrievals, strict=True)]
        fast = [self.gate_classifier.predict_proba(f) for f in base]
        ask = [gate(p, r, self.gate_confidence) for p, r in zip(fast, retrievals, strict=True)]
        detailed = self.scorer.score_all_detailed(elements, retrievals, progress, ask=ask)
        out = []
        for el, r, asked, p_fast, (llm_feats, scores, flagged) in zip(
            elements, retrievals, ask, fast, detailed, strict=True
        ):
            passage_scores = {p.chunk.id: p.dense for p in r.passages} | scores
            if asked:
                feats = element_features(el, r, stats, llm_feats) | {"llm_asked": 1.0}
                out.append(Judgement(self.classifier.predict_proba(feats), feats, passage_scores, flagged))
            else:
                feats = element_features(el, r, stats) | {"llm_asked": 0.0}
                out.append(Judgement(p_fast, feats, passage_scores, flagged))
        return out
