"""The Gradio app: ``beleidsscan ui``. Components and wiring only; what is shown comes from ``ui.viewmodel``
and what is done from ``ui.service`` (which calls the scanner's service functions, as the CLI does).

Gradio reads its upload folder from the environment when it is imported, so ``configure`` runs first and
gradio is imported inside the functions below. No ``from __future__ import annotations`` here: Gradio reads the
handlers' annotations at run time to hand them the ``gr.Request`` of the session.
"""

import json
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import BeleidsscanError
from scanner.frameworks import DEFAULT_FRAMEWORK
from scanner.results import ScanResult, nl_datetime
from scanner.settings import Settings

from .service import Document, UiService
from .store import UiStore
from .users import UsersFile, is_loopback

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["build_app", "configure", "serve"]

# Honest estimates, measured on two cores (README, "Costs"): a new 15-page document about 5 s to read and under
# a second to judge, a 30-page one about 10 s; a document read before, a second or two.
JUDGES = [
    ("Aanbevolen: getraind beoordelingsmodel (5 à 15 seconden per nieuw document)", "fast"),
    ("Met taalmodel erbij (enkele minuten per document; niet nauwkeuriger gemeten)", "llm"),
]
REVIEW_STATUSES = [("gedekt", "covered"), ("deels", "partial"), ("niet gevonden", "not_found")]

CSS = """
.bs-matrix table { border-collapse: collapse; width: 100%; }
.bs-matrix th, .bs-matrix td { border: 1px solid #d0d4da; padding: 8px 10px; vertical-align: top; text-align: left; }
.bs-matrix thead th { background: #f3f4f6; }
.bs-cell .bs-count { font-size: 1.05em; }
.bs-cell .bs-dots { font-size: 1.35em; letter-spacing: 2px; line-height: 1.2; }
.bs-cell .bs-sub, .bs-cell .bs-reviewed, .bs-meta, .bs-source, .bs-hint { font-size: 0.85em; color: #4b5563; }
.bs-matrix figcaption { font-size: 0.85em; margin-top: 6px; color: #374151; }
.bs-badge { border: 1px solid; border-radius: 10px; padding: 1px 8px; font-weight: 600; white-space: nowrap; }
.bs-finding blockquote { margin: 4px 0; padding-left: 10px; border-left: 3px solid #e0b000; }
.bs-override { background: #eef5ff; padding: 6px 8px; border-radius: 6px; }
.bs-gap { border-top: 1px solid #e5e7eb; padding-top: 6px; margin-top: 8px; }
.bs-advice { margin-left: 12px; }
.bs-pagetext { white-space: pre-wrap; font-family: system-ui, sans-serif; max-height: 70vh; overflow: auto;
  border: 1px solid #d0d4da; padding: 12px; }
.bs-pagetext mark { background: #ffe066; }
/* WCAG 2.1 AA: white on Gradio's orange was 2.8:1; this blue is 8.7:1 */
#bs-scan, #bs-change { background: #1e40af; border-color: #1e40af; color: #ffffff; }
#bs-scan:disabled { background: #6b7280; border-color: #6b7280; color: #ffffff; }
#bs-delete { background: #b91c1c; border-color: #b91c1c; color: #ffffff; }
#bs-status:not(:empty) { min-height: 2.5em; }
/* Gradio's "- or -" between the upload texts is light grey (below 4.5:1); the same grey as our hints */
#bs-upload .or { color: #4b5563; }
/* matrix dots are buttons that open their finding */
.bs-matrix button.bs-dot { background: none; border: 0; padding: 0 1px; margin: 0; font: inherit; cursor: pointer; }
.bs-matrix button.bs-dot:focus-visible { outline: 3px solid #1e40af; outline-offset: 1px; }
/* the page stays beside the quotes while the left column scrolls */
#bs-page-col { position: sticky; top: 8px; align-self: flex-start; }
/* the selected tab's orange text was below 4.5:1 */
button[role="tab"] { color: #374151; }
button[role="tab"][aria-selected="true"] { color: #1e40af; border-color: #1e40af; }
"""

# - Gradio wraps a page image in a button with no accessible name (axe-core: button-name, serious); name it.
# - A dot in the matrix opens its finding: the element id goes through a hidden text box (#bs-jump) to the server.
HEAD = """<script>
document.addEventListener("click", (ev) => {
  const dot = ev.target.closest && ev.target.closest(".bs-matrix [data-element]");
  const box = document.querySelector("#bs-jump textarea, #bs-jump input");
  if (!dot || !box) return;
  box.value = dot.dataset.element + "@" + Date.now();
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
// the page is Dutch, whatever the browser's language (WCAG 3.1.1: screen readers pronounce it as Dutch)
document.documentElement.lang = "nl";
new MutationObserver(() => {
  if (document.documentElement.lang !== "nl") document.documentElement.lang = "nl";
  document.querySelectorAll(".image-container > button:not([aria-label])").forEach((b) => {
    b.setAttribute("aria-label", "Pagina met het gemarkeerde citaat");
  });
}).observe(document.documentElement, { childList: true, subtree: true });
</script>"""

# Keyboard users land where the result is: after a scan on the matrix, after a matrix dot on its finding (which the
# server renders a moment later).
FOCUS_RESULT = "() => document.querySelector('#bs-summary .bs-summary')?.focus()"
FOCUS_FINDING = """(v) => {
  const id = (v || "").split("@")[0];
  let n = 0;
  const t = setInterval(() => {
    const el = document.querySelector(`#bs-finding .bs-finding[data-element="${id}"]`);
    if (el || ++n > 100) { clearInterval(t); if (el) { el.focus(); el.scrollIntoView({ block: "start" }); } }
  }, 100);
}"""

INTRO = """# Beleidsscan
Upload de beleidsdocumenten van één gemeente (kadernota, jeugdplan, coalitieakkoord, uitvoeringsagenda …) en
scan ze tegen het onderzoekskader. U ziet per omgeving wat het beleid al regelt, met het citaat en de pagina als
bewijs, en welke handelingsopties en bruggenbouwers kansen bieden. Uw documenten en resultaten zijn alleen voor
u zichtbaar en blijven op de computer waarop de Beleidsscan draait."""


@dataclass
class Session:
    """What one browser session holds: its documents and its current result (never shared)."""

    docs: list[Document] = field(default_factory=list)
    result: ScanResult | None = None


# Gradio's own texts ("Drop File Here", "Click to Upload", "Loading" ...) follow the browser's language; the users
# read Dutch whatever their browser says, so Gradio's Dutch texts (taken from its own translation, gradio_nl.json)
# are given for every language Gradio ships.
GRADIO_LOCALES = [
    "ar",
    "ca",
    "ckb",
    "de",
    "en",
    "es",
    "et",
    "eu",
    "fa",
    "fi",
    "fr",
    "he",
    "hi",
    "id",
    "ja",
    "ko",
    "lt",
    "nb",
    "nl",
    "pl",
    "pt",
    "pt-BR",
    "ro",
    "ru",
    "sv",
    "ta",
    "th",
    "tr",
    "uk",
    "ur",
    "uz",
    "zh-CN",
    "zh-TW",
]


def gradio_dutch() -> "gr.I18n":
    import gradio as gr

    texts = json.loads((Path(__file__).parent / "gradio_nl.json").read_text(encoding="utf-8"))
    return gr.I18n(**{locale: texts for locale in GRADIO_LOCALES})


def configure(settings: Settings) -> UiStore:
    """Environment for Gradio, before it is imported: no telemetry, uploads only under the data directory."""
    store = UiStore(settings.home / "ui")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["GRADIO_TEMP_DIR"] = str(store.tmp)
    os.environ.setdefault("GRADIO_SSR_MODE", "False")
    os.environ.setdefault("GRADIO_MCP_SERVER", "False")
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    return store


def _docs_md(docs: list[Document], problems: list[str]) -> str:
    lines = []
    if docs:
        lines.append("**Klaar om te scannen als één set:** " + ", ".join(f"`{d.file_name}`" for d in docs))
    for p in problems:
        lines.append(f"Let op: {p}")
    return "\n\n".join(lines)


def build_app(service: UiService) -> "gr.Blocks":
    import gradio as gr

    from . import viewmodel as vm

    vm.register_report_exports()
    exports = vm.ordered_exports()  # Word and Excel first; JSON and labels for researchers last
    frameworks = service.frameworks()
    fw_default = DEFAULT_FRAMEWORK if any(fid == DEFAULT_FRAMEWORK for _, fid in frameworks) else frameworks[0][1]

    def session_id(request: gr.Request | None) -> str:
        return getattr(request, "session_hash", None) or "anon"

    def user_of(request: gr.Request | None) -> str | None:
        """The logged-in user (``None`` when the UI has no logins): whose documents and scans these are."""
        return getattr(request, "username", None) or None

    with gr.Blocks(title="Beleidsscan", analytics_enabled=False, delete_cache=(1800, 3600)) as demo:
        state = gr.State(Session())
        who = gr.Markdown(elem_id="bs-user")
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=3):
                # No file_types: Gradio would refuse other types in the browser with an English message; the
                # server checks type and size (ui.viewmodel.validate_uploads) and answers in Dutch.
                files = gr.File(
                    file_count="multiple",
                    label=f"Beleidsdocumenten (PDF, DOCX, TXT of HTML; tot {service.settings.max_file_mb:.0f} MB elk)",
                    elem_id="bs-upload",
                )
                docs_md = gr.Markdown(elem_id="bs-docs")
                clear_btn = gr.Button("Documenten wissen", size="sm", visible=False, elem_id="bs-clear")
            with gr.Column(scale=2):
                set_name = gr.Textbox(label="Naam van de gemeente of set (optioneel)", max_lines=1)
                framework = gr.Dropdown(frameworks, value=fw_default, label="Onderzoekskader", elem_id="bs-fw")
                judges = JUDGES if service.llm_available else JUDGES[:1]
                judge = gr.Radio(judges, value="fast", label="Beoordeling", elem_id="bs-judge")
                scan_btn = gr.Button("Scan starten", variant="primary", interactive=False, elem_id="bs-scan")
        with gr.Row(visible=False, elem_id="bs-earlier-row") as earlier_row:
            earlier = gr.Dropdown([], label="Eerdere scans van deze documenten", scale=3, elem_id="bs-earlier")
            reopen_btn = gr.Button("Eerdere scan openen", scale=1, elem_id="bs-reopen")
        status = gr.Markdown(elem_id="bs-status")

        with gr.Column(visible=False, elem_id="bs-results") as results, gr.Tabs() as tabs:
            with gr.Tab("Overzicht", id="overview", elem_id="bs-tab-overview"):
                summary = gr.HTML(elem_id="bs-summary")
                jump = gr.Textbox(visible="hidden", elem_id="bs-jump", label="Element openen", max_lines=1)
            with gr.Tab("Bevindingen per element", id="findings", elem_id="bs-tab-findings"):
                element = gr.Dropdown([], label="Element", elem_id="bs-element")
                with gr.Row():
                    with gr.Column(scale=1):
                        finding = gr.HTML(elem_id="bs-finding")
                        quotes = gr.Radio(
                            [], label="Kies een citaat of passage om de pagina te zien", elem_id="bs-quotes"
                        )
                        with gr.Group():
                            gr.Markdown("### Beoordelen\nBevestig de bevinding of kies een andere status.")
                            review_status = gr.Radio(REVIEW_STATUSES, label="Status", elem_id="bs-review-status")
                            note = gr.Textbox(label="Korte toelichting", max_lines=3, elem_id="bs-note")
                            reviewer = gr.Textbox(label="Uw naam of initialen (optioneel)", max_lines=1)
                            with gr.Row():
                                accept_btn = gr.Button("Bevinding bevestigen", elem_id="bs-accept")
                                change_btn = gr.Button("Status wijzigen", variant="primary", elem_id="bs-change")
                                undo_btn = gr.Button("Beoordeling intrekken", elem_id="bs-undo")
                            review_msg = gr.Markdown(elem_id="bs-review-msg")
                    with gr.Column(scale=1, elem_id="bs-page-col"):
                        page_msg = gr.Markdown(elem_id="bs-page-msg")
                        page_img = gr.Image(
                            type="pil", format="png", interactive=False, label="Pagina", elem_id="bs-page",
                            buttons=["download"],  # Gradio's other icon buttons carry no accessible name
                        )  # fmt: skip
                        page_text = gr.HTML(visible=False, elem_id="bs-page-text")
            with gr.Tab("Kansen en advies", id="gaps", elem_id="bs-tab-gaps"):
                gaps = gr.HTML(elem_id="bs-gaps")
            with gr.Tab("Downloaden", id="downloads", elem_id="bs-tab-downloads"):
                gr.Markdown(
                    "Download het resultaat, inclusief uw beoordelingen. De labels (JSONL) gebruikt u voor "
                    "de evaluatie: `beleidsscan eval --labels BESTAND.labels.jsonl`."
                )
                downloads = [gr.DownloadButton(e.label, visible=False, elem_id=vm.export_id(e)) for e in exports]
                gr.Markdown("Wilt u de scan en de geüploade documenten van deze computer verwijderen?")
                delete_btn = gr.Button("Scan en documenten verwijderen", variant="stop", elem_id="bs-delete")

        result_outputs: list[Any] = [results, summary, gaps, element, *downloads]

        def render_result(sess: Session, request: gr.Request | None, element_id: str | None = None) -> list[Any]:
            result = sess.result
            if result is None:
                hidden = [gr.DownloadButton(visible=False) for _ in exports]
                return [gr.Column(visible=False), "", "", gr.Dropdown(choices=[], value=None), *hidden]
            fw = service.framework(result.framework.id)
            paths = service.exports(session_id(request), result)
            choices = vm.element_choices(result, fw)
            value = element_id or (choices[0][1] if choices else None)
            return [
                gr.Column(visible=True),
                vm.summary_html(result, fw),
                vm.gaps_html(result, fw, service.actors(result)),
                gr.Dropdown(choices=choices, value=value),
                *[
                    gr.DownloadButton(e.label, value=str(p) if p else None, visible=p is not None)
                    for e, p in zip(exports, paths, strict=True)
                ],
            ]

        # -- upload ------------------------------------------------------------------------------

        def on_upload(paths: list[str] | None, sess: Session, request: gr.Request) -> list[Any]:
            user = user_of(request)
            docs, problems = service.accept_uploads(session_id(request), [Path(p) for p in paths or []], user)
            known = {d.sha256 for d in sess.docs}
            sess = replace(sess, docs=sess.docs + [d for d in docs if d.sha256 not in known])
            return [*_upload_view(sess, problems, user), None]

        def _upload_view(sess: Session, problems: list[str], user: str | None) -> list[Any]:
            earlier_scans = service.earlier_scans(sess.docs, user)
            judge_nl = dict((v, k.split(":")[0]) for k, v in JUDGES)
            fw_nl = {fid: label for label, fid in frameworks}
            choices = [
                (
                    f"{nl_datetime(s.created_at)} · {judge_nl.get(s.judge, s.judge)} · "
                    f"{fw_nl.get(s.framework_id, s.framework_id)}"
                    + (f" · {s.reviewed} beoordeeld" if s.reviewed else ""),
                    s.key,
                )
                for s in earlier_scans
            ]
            return [
                sess,
                _docs_md(sess.docs, problems),
                gr.Button(visible=bool(sess.docs)),
                gr.Button(interactive=bool(sess.docs)),
                gr.Row(visible=bool(choices)),
                gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
            ]

        upload_outputs = [state, docs_md, clear_btn, scan_btn, earlier_row, earlier]
        files.upload(on_upload, [files, state], [*upload_outputs, files])

        def on_clear(sess: Session, request: gr.Request) -> list[Any]:
            service.forget_documents(session_id(request), sess.docs, user_of(request))
            return _upload_view(Session(), [], user_of(request))

        clear_btn.click(on_clear, [state], upload_outputs)

        # -- scan --------------------------------------------------------------------------------

        def on_scan(
            sess: Session,
            fw_id: str,
            judge_name: str,
            name: str,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way to ask for a progress bar)
        ) -> list[Any]:
            if not sess.docs:
                return [sess, "Upload eerst een of meer documenten.", *render_result(sess, request)]
            try:
                outcome = service.scan(
                    sess.docs, fw_id, judge_name, name.strip() or None, lambda f, d: progress(f, desc=d),
                    user_of(request),
                )  # fmt: skip
            except Exception as exc:  # shown to the user; the server keeps running
                why = str(exc) if isinstance(exc, BeleidsscanError) else f"onverwachte fout ({exc})"
                return [sess, f"Fout: de scan is niet gelukt: {why}", *render_result(sess, request)]
            msgs = [f"Let op: {m}" for m in outcome.messages]
            if outcome.result is None:
                return [sess, "\n\n".join(["Fout: geen enkel document kon worden gelezen.", *msgs]), *render_result(
                    sess, request)]  # fmt: skip
            sess = replace(sess, result=outcome.result)
            n = len(outcome.result.findings)
            done = f"Scan klaar: {n} elementen beoordeeld in {outcome.seconds:.0f} seconden."
            return [sess, "\n\n".join([done, *msgs]), *render_result(sess, request)]

        def lock() -> list[Any]:
            # The button cannot be pressed twice, and the status line has a height before the first progress
            # message arrives (an empty Markdown has none, and Gradio's progress bar would not show).
            return [gr.Button(interactive=False, value="Bezig met scannen…"), "De scan is gestart: documenten lezen…"]

        def unlock(sess: Session) -> Any:
            return gr.Button(interactive=bool(sess.docs), value="Scan starten")

        scan_btn.click(lock, None, [scan_btn, status], queue=False).then(
            on_scan,
            [state, framework, judge, set_name],
            [state, status, *result_outputs],
            concurrency_limit=1,
            concurrency_id="scan",
            show_progress_on=[status],
        ).then(unlock, [state], [scan_btn], queue=False).then(None, js=FOCUS_RESULT)

        def on_reopen(key: str | None, sess: Session, request: gr.Request) -> list[Any]:
            result = service.reopen(key, user_of(request)) if key else None
            if result is None:
                return [sess, "De eerdere scan is niet meer beschikbaar.", *render_result(sess, request)]
            sess = replace(sess, result=result)
            opened = f"Eerdere scan van {nl_datetime(result.created_at)} geopend (niet opnieuw gescand)."
            return [sess, opened, *render_result(sess, request)]

        reopen_btn.click(on_reopen, [earlier, state], [state, status, *result_outputs])

        # -- drill-down --------------------------------------------------------------------------

        def on_element(element_id: str | None, sess: Session) -> list[Any]:
            result = sess.result
            if result is None or not element_id:
                return [
                    "",
                    gr.Radio(choices=[], value=None),
                    gr.Radio(value=None),
                    "",
                    None,
                    "",
                    gr.HTML(visible=False),
                ]
            fw = service.framework(result.framework.id)
            f = result.finding(element_id)
            o = f.override or {}
            return [
                vm.finding_html(result, fw, element_id),
                gr.Radio(choices=vm.page_choices(f), value=None),
                gr.Radio(value=f.effective_status),
                o.get("note", ""),
                None,
                "",
                gr.HTML(visible=False),
            ]

        element.change(
            on_element, [element, state], [finding, quotes, review_status, note, page_img, page_msg, page_text]
        )

        def on_quote(key: str | None, element_id: str | None, sess: Session, request: gr.Request) -> list[Any]:
            result = sess.result
            if result is None or not key or not element_id:
                return [None, "", gr.HTML(visible=False)]
            ref = vm.page_ref(result, element_id, key)
            if ref is None:
                return [None, "", gr.HTML(visible=False)]
            view = service.page_view(result, ref, user_of(request))
            return [
                gr.Image(value=view.image, visible=view.image is not None),
                f"**{view.message}**",
                gr.HTML(value=view.html or "", visible=view.html is not None),
            ]

        quotes.change(on_quote, [quotes, element, state], [page_img, page_msg, page_text]).then(
            None, js="() => document.querySelector('#bs-page-msg')?.scrollIntoView({block: 'nearest'})"
        )

        def on_jump(value: str | None, sess: Session) -> list[Any]:
            element_id = (value or "").split("@")[0]
            if sess.result is None or element_id not in {f.element_id for f in sess.result.findings}:
                return [gr.skip(), gr.skip()]
            return [gr.Tabs(selected="findings"), gr.Dropdown(value=element_id)]

        jump.change(on_jump, [jump, state], [tabs, element]).then(None, [jump], None, js=FOCUS_FINDING)

        # -- review ------------------------------------------------------------------------------

        def do_review(
            mode: str, element_id: str | None, new_status: str | None, text: str, by: str, sess: Session,
            request: gr.Request,
        ) -> list[Any]:  # fmt: skip
            result = sess.result
            if result is None or not element_id:
                return [sess, "Kies eerst een element.", gr.skip(), *render_result(sess, request)]
            f = result.finding(element_id)
            if mode == "accept":
                status_value: str | None = f.status
                msg = "Bevinding bevestigd."
            elif mode == "change":
                if new_status not in {s for _, s in REVIEW_STATUSES}:
                    return [sess, "Kies eerst een status.", gr.skip(), *render_result(sess, request, element_id)]
                status_value = new_status
                msg = "Status gewijzigd; matrix en kansen zijn bijgewerkt."
            else:
                status_value = None
                msg = "Beoordeling ingetrokken; het oordeel van de scan geldt weer."
            user = user_of(request)
            updated = service.review(result, element_id, status_value, text or "", by or user or "", user)
            sess = replace(sess, result=updated)
            fw = service.framework(updated.framework.id)
            return [sess, msg, vm.finding_html(updated, fw, element_id), *render_result(sess, request, element_id)]

        review_inputs = [element, review_status, note, reviewer, state]
        review_outputs = [state, review_msg, finding, *result_outputs]

        def review_handler(mode: str) -> Any:
            # explicit parameters: Gradio hands the gr.Request only to a parameter annotated with it
            def handler(
                element_id: str | None, new_status: str | None, text: str, by: str, sess: Session,
                request: gr.Request,
            ) -> list[Any]:  # fmt: skip
                return do_review(mode, element_id, new_status, text, by, sess, request)

            return handler

        for btn, mode in ((accept_btn, "accept"), (change_btn, "change"), (undo_btn, "undo")):
            btn.click(review_handler(mode), review_inputs, review_outputs)

        # -- delete ------------------------------------------------------------------------------

        def on_delete(sess: Session, request: gr.Request) -> list[Any]:
            user = user_of(request)
            if sess.result is not None:
                service.delete(sess.result, user)
            service.forget_documents(session_id(request), sess.docs, user)
            empty = Session()
            return [empty, "De scan en de documenten zijn verwijderd.", *render_result(empty, request),
                    *_upload_view(empty, [], user)[1:]]  # fmt: skip

        delete_btn.click(on_delete, [state], [state, status, *result_outputs, *upload_outputs[1:]])

        def on_load(request: gr.Request) -> str:
            user = user_of(request)
            return f"Ingelogd als **{user}** · [Uitloggen](logout)" if user else ""

        demo.load(on_load, None, who, show_progress="hidden")

        def on_unload(request: gr.Request) -> None:
            service.end_session(session_id(request))

        demo.unload(on_unload)
    return demo


def check_access(host: str, users: Path | None) -> UsersFile | None:
    """Bound to anything but loopback the UI requires logins: refuse to start without a users file (or with an
    empty one). Returns the users file to check logins against, if any."""
    if users is None:
        if is_loopback(host):
            return None
        raise BeleidsscanError(
            f"De webinterface zou luisteren op {host}, dus ook voor andere computers bereikbaar zijn; dat mag alleen "
            "met inloggen. Maak een gebruikersbestand ('beleidsscan ui-user add --users gebruikers.txt NAAM') en "
            "start met '--users gebruikers.txt', of laat --host weg (alleen deze computer)."
        )
    file = UsersFile(users)
    if not file.read():
        raise BeleidsscanError(f"{users}: het gebruikersbestand bevat geen gebruikers.")
    return file


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int | None = None, block: bool = True, users: Path | None = None
) -> Any:
    """Start the app; returns the Gradio app when ``block`` is False (tests). With ``users`` (a users file) every
    visitor logs in and sees only their own documents and scans; without, ``host`` must be loopback."""
    logins = check_access(host, users)
    configure(settings)
    import gradio as gr

    service = UiService(settings)
    # Load the embedding model in the background, so the first scan does not wait for it.
    threading.Thread(target=service.warm_up, name="warm-up", daemon=True).start()
    demo = build_app(service)
    demo.queue(default_concurrency_limit=8)
    theme = gr.themes.Default(
        font=["system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        max_file_size=settings.max_bytes,
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        theme=theme,
        css=CSS,
        head=HEAD,
        i18n=gradio_dutch(),
        auth=logins.check if logins else None,
        auth_message="Log in met de naam en het wachtwoord die de beheerder van de Beleidsscan u gaf."
        if logins
        else None,
        quiet=not block,
    )
    return demo
