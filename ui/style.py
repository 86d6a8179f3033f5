"""The page's CSS and theme: contrast of at least 4.5:1 for text in light and dark mode, a focus ring
that shows, targets of at least 44 px, and a layout that fits a phone (390 px)."""

from __future__ import annotations

import logging

import gradio as gr

log = logging.getLogger(__name__)

CSS = """
.sb-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
:focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.dark :focus-visible { outline-color: #93c5fd !important; }
#sb-question textarea:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.dark #sb-question textarea:focus { outline-color: #93c5fd; }
button, [role="tab"] { min-height: 44px; }
#sb-tabs [role="tab"].selected { color: #1d4ed8; }
.dark #sb-tabs [role="tab"].selected { color: #93c5fd; }
.sb-log { display: flex; flex-direction: column; gap: 0.9rem; }
.sb-empty-chat { color: var(--body-text-color); margin: 0.5rem 0; }
.sb-turn { display: flex; flex-direction: column; gap: 0.5rem; }
.sb-turn .message { border-radius: 10px; padding: 0.6rem 0.9rem; line-height: 1.5; max-width: 100%;
  overflow-wrap: anywhere; }
.sb-turn .message p { margin: 0.3rem 0; }
.sb-turn .message ul { margin: 0.3rem 0 0.3rem 1.2rem; padding: 0; }
.sb-turn .message.user { align-self: flex-end; background: #e8eefc; color: #111827; max-width: 85%; }
.sb-turn .message.bot { background: #f5f5f4; color: #111827; border: 1px solid #d6d3d1; }
.dark .sb-turn .message.user { background: #1e3a8a; color: #f9fafb; }
.dark .sb-turn .message.bot { background: #1f2937; color: #f9fafb; border-color: #4b5563; }
.sb-note, .sb-scope { font-size: 0.9em; font-style: italic; }
.sb-ref { color: #1d4ed8; font-weight: 600; text-decoration: underline; }
.dark .sb-ref { color: #93c5fd; }
.dark .sb-pdf { color: #93c5fd; }
.sb-pdf { color: #1d4ed8; text-decoration: underline; margin-left: 0.4rem; }
.sb-sources { margin-top: 0.5rem; }
.sb-sources-toggle, .sb-fb { border: 1px solid #57534e; border-radius: 8px; background: #ffffff; color: #111827;
  padding: 0.4rem 0.8rem; cursor: pointer; font: inherit; min-height: 44px; min-width: 44px; }
.dark .sb-sources-toggle { background: #111827; color: #f9fafb; border-color: #9ca3af; }
.dark .sb-fb { background: #111827; color: #f9fafb; border-color: #9ca3af; }
.sb-fb[aria-pressed="true"] { background: #1d4ed8; color: #ffffff; border-color: #1d4ed8; }
.dark .sb-fb[aria-pressed="true"] { background: #93c5fd; color: #111827; border-color: #93c5fd; }
.sb-stop { border: 2px solid #991b1b; border-radius: 8px; background: #ffffff; color: #991b1b; font: inherit;
  font-weight: 600; padding: 0.4rem 1rem; cursor: pointer; min-height: 44px; min-width: 44px; margin: 0.3rem 0; }
.sb-stop:hover { background: #fef2f2; }
.dark .sb-stop { background: #111827; color: #fca5a5; border-color: #fca5a5; }
.sb-live-model { border-top: 1px dashed #57534e; margin-top: 0.6rem; padding-top: 0.4rem; }
.dark .sb-live-model { border-top-color: #9ca3af; }
.sb-live-title { font-size: 1em; margin: 0.2rem 0; }
.sb-fallback, .sb-removed { border-left: 4px solid #b45309; padding-left: 0.5rem; }
.sb-sources-list ol { list-style: none; margin: 0.5rem 0 0 0; padding: 0; }
.sb-source { margin: 0.6rem 0; padding: 0.3rem 0.5rem; border-left: 4px solid #1f6f8b; }
.sb-source:target, .sb-source.sb-focus { background: #fef3c7; color: #111827; }
.dark .sb-source:target { background: #3f3f46; color: #f9fafb; }
.dark .sb-source.sb-focus { background: #3f3f46; color: #f9fafb; }
.sb-source blockquote { margin: 0.3rem 0 0 0; padding: 0; border: 0; }
.sb-feedback { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.6rem; }
mark { background: #fde68a; color: #111827; padding: 0 0.1em; }
.dark mark { background: #854d0e; color: #ffffff; }
#sb-status { min-height: 1.5em; color: var(--body-text-color); }
#sb-examples button { white-space: normal; text-align: left; }
.sb-overview { max-width: 980px; }
.sb-principle { border-left: 4px solid #1f6f8b; padding: 0.2rem 0 0.4rem 1rem; margin: 1.2rem 0; }
.sb-principle h3 { margin: 0.2rem 0; }
.sb-count { font-weight: normal; font-size: 0.9em; }
.sb-statement { font-style: italic; margin: 0.3rem 0 0.6rem 0; }
.sb-initiative { margin: 0.25rem 0; }
.sb-initiative summary { cursor: pointer; min-height: 44px; display: list-item; padding: 0.5rem 0; }
.sb-passage { background: rgba(31, 111, 139, 0.07); padding: 0.4rem 0.8rem; border-radius: 6px; margin: 0.3rem 0; }
.sb-meta { font-size: 0.9em; }
.sb-empty { color: var(--body-text-color); }
@media (max-width: 640px) {
  .sb-turn .message.user { max-width: 100%; }
  #sb-filters { flex-direction: column; }
}
"""


def theme() -> gr.themes.Base:
    """Gradio's Soft theme with system fonts only (no web fonts from outside) and colours that reach
    4.5:1: dark labels on light, a darker primary button."""
    return gr.themes.Soft(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    ).set(
        block_label_text_color="*neutral_800",
        block_label_text_color_dark="*neutral_100",
        block_label_background_fill="*neutral_100",
        block_label_background_fill_dark="*neutral_800",
        block_title_text_color="*neutral_800",
        block_title_text_color_dark="*neutral_100",
        block_title_background_fill="*neutral_100",
        block_title_background_fill_dark="*neutral_800",
        body_text_color_subdued="*neutral_700",
        body_text_color_subdued_dark="*neutral_300",
        button_primary_background_fill="#1d4ed8",
        button_primary_background_fill_hover="#1e40af",
        button_primary_background_fill_dark="#1d4ed8",
        button_primary_background_fill_hover_dark="#1e40af",
        button_primary_text_color="#ffffff",
        button_primary_text_color_dark="#ffffff",
        input_placeholder_color="*neutral_600",
        input_placeholder_color_dark="*neutral_300",
    )
