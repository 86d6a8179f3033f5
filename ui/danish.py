"""Gradio's own strings in Danish, and the page's language. Gradio ships no Danish translation and picks
its language from the browser; these translations are registered as the locale "da", and the page
switches Gradio to it on load (Gradio then sets ``<html lang="da">`` itself; the served HTML says so
from the start, see ui/html_lang.py). Keys are Gradio's (its ``lang/en.json``)."""

from __future__ import annotations

import json
import logging

import gradio as gr

log = logging.getLogger(__name__)

LOCALE = "da"

STRINGS: dict[str, str] = {
    "chatbot.edit": "Rediger",
    "chatbot.retry": "Prøv igen",
    "chatbot.undo": "Fortryd",
    "chatbot.submit": "Send",
    "chatbot.cancel": "Annuller",
    "chatbot.like": "Godt svar",
    "chatbot.dislike": "Dårligt svar",
    "chatbot.clear": "Ryd samtalen",
    "chatbot.complete": "Færdig",
    "chatbot.copy_message": "Kopiér besked",
    "chatbot.copied_message": "Beskeden er kopieret",
    "chat_interface.new_chat": "Ny samtale",
    "chat_interface.message_placeholder": "Skriv en besked …",
    "chat_interface.conversation": "Samtale",
    "common.built_with": "lavet med",
    "common.built_with_gradio": "Lavet med Gradio",
    "common.clear": "Ryd",
    "common.download": "Download",
    "common.download_all": "Download alle",
    "common.edit": "Rediger",
    "common.empty": "Tom",
    "common.error": "Fejl",
    "common.loading": "Indlæser",
    "common.or": "eller",
    "common.remove": "Fjern",
    "common.settings": "Indstillinger",
    "common.share": "Del",
    "common.submit": "Send",
    "common.undo": "Fortryd",
    "common.language": "Sprog",
    "common.progress": "Fremskridt",
    "common.run": "Kør",
    "dropdown.dropdown": "Rulleliste",
    "errors.connection_can_break": "På en telefon kan forbindelsen blive afbrudt, hvis fanen ikke er i brug.",
    "errors.lost_connection": "Forbindelsen blev afbrudt. Forbinder igen …",
    "upload_text.click_to_upload": "Klik for at uploade",
}

#: labels Gradio writes in English in its components' code, not through its translations
FIXED_LABELS: dict[str, str] = {
    "More tabs": "Flere faner",
    "Copy message": "Kopiér besked",
    "Copy conversation": "Kopiér samtalen",
}

#: run by Gradio once the page has loaded: switch Gradio's strings to Danish (its `changeLocale`, from
#: the module that holds it) and make sure the page says it is Danish even where that is not possible
_LOCALE_JS = """async () => {
  const lang = 'da';
  const keep = () => { if (document.documentElement.lang !== lang) document.documentElement.lang = lang; };
  try {
    const core = performance.getEntriesByType('resource').map((e) => e.name)
      .find((name) => /\\/assets\\/core-[\\w-]+\\.js$/.test(name));
    if (core) {
      const module = await import(core);
      if (typeof module.changeLocale === 'function') module.changeLocale(lang);
    }
  } catch (e) {
    console.warn('Danish strings not applied', e);
  }
  const fixed = @FIXED@;
  const relabel = () => {
    keep();
    document.querySelectorAll('[aria-label]').forEach((e) => {
      const danish = fixed[e.getAttribute('aria-label')];
      if (danish) e.setAttribute('aria-label', danish);
    });
  };
  relabel();
  new MutationObserver(relabel).observe(document.documentElement,
    {attributes: true, attributeFilter: ['lang', 'aria-label'], childList: true, subtree: true});
}"""


LOCALE_JS = _LOCALE_JS.replace("@FIXED@", json.dumps(FIXED_LABELS, ensure_ascii=False))


def translations() -> gr.I18n:
    """Gradio's strings for the locale "da" (the rest fall back to English: none of them are shown)."""
    return gr.I18n(**{LOCALE: dict(STRINGS)})
