"""The chat's browser code: sending a question (the box empties at once, the question joins the
conversation's list in a hidden field, a "searching" note shows), the sources buttons (aria-expanded),
[n] links that open and focus their source, feedback buttons (aria-pressed), and the conversation's
download. Each is a JavaScript string Gradio runs in the page."""

from __future__ import annotations

import json
import logging

from sikkerby.ui.chat_view import SEARCHING

log = logging.getLogger(__name__)

#: (question, asked) -> [box, asked, status]: the question joins the conversation's questions
ADD_QUESTION_JS = (
    """(question, asked) => {
  const text = (question || '').trim();
  if (!text) return [question, asked, ''];
  let data = {};
  try { data = JSON.parse(asked || '{}') || {}; } catch (e) { data = {}; }
  if (typeof data.id !== 'string' || !data.id) data.id = Math.random().toString(16).slice(2, 14);
  data.asked = (Array.isArray(data.asked) ? data.asked : []).concat([text]);
  return ['', JSON.stringify(data), """
    + json.dumps(SEARCHING)
    + """];
}"""
)


def example_js(question: str) -> str:
    """(asked) -> [asked, status]: an example question sent as if typed."""
    return f"(asked) => ({ADD_QUESTION_JS})({json.dumps(question)}, asked).slice(1)"


#: the chat component's own code (Gradio's js_on_load: `element`, `trigger`, `watch`)
CHAT_ON_LOAD = """
const open = new Set();
let focused = null;
const setOpen = (button, expanded) => {
  const region = element.querySelector('#' + button.getAttribute('aria-controls'));
  button.setAttribute('aria-expanded', expanded ? 'true' : 'false');
  if (region) region.hidden = !expanded;
  if (expanded) open.add(button.id); else open.delete(button.id);
};
element.addEventListener('focusin', (event) => { if (event.target.id) focused = event.target.id; });
element.addEventListener('click', (event) => {
  const toggle = event.target.closest('.sb-sources-toggle');
  if (toggle) { setOpen(toggle, toggle.getAttribute('aria-expanded') !== 'true'); return; }
  const ref = event.target.closest('a.sb-ref');
  if (ref) {
    event.preventDefault();
    const button = element.querySelector('#' + ref.dataset.sources + '-knap');
    if (button) setOpen(button, true);
    const source = element.querySelector(ref.getAttribute('href'));
    if (source) {
      element.querySelectorAll('.sb-source.sb-focus').forEach((s) => s.classList.remove('sb-focus'));
      source.classList.add('sb-focus');
      source.focus();
      source.scrollIntoView({block: 'nearest'});
    }
    return;
  }
  const thumb = event.target.closest('button.sb-fb');
  if (thumb) {
    const pressed = thumb.getAttribute('aria-pressed') === 'true';
    thumb.parentElement.querySelectorAll('button.sb-fb').forEach((b) => b.setAttribute('aria-pressed', 'false'));
    thumb.setAttribute('aria-pressed', pressed ? 'false' : 'true');
    trigger('click', {turn: Number(thumb.dataset.turn), rating: Number(thumb.dataset.rating)});
  }
});
watch('value', () => {
  for (const id of Array.from(open)) {
    const button = element.querySelector('#' + id);
    if (button) setOpen(button, true); else open.delete(id);
  }
  const active = document.activeElement;
  if (focused && (!active || active === document.body)) {
    const again = element.querySelector('#' + focused);
    if (again) again.focus({preventScroll: true});
  }
  const last = element.querySelector('.sb-turn:last-child');
  if (last && !element.contains(document.activeElement)) last.scrollIntoView({block: 'nearest'});
});
"""

#: the status line under the chat is a live region: screen readers read what it says when it changes
STATUS_ON_LOAD = """
const host = element.closest('#sb-status') || element;
host.setAttribute('role', 'status');
host.setAttribute('aria-live', 'polite');
"""

#: set once the conversation kept in the browser is drawn again after a (re)load: the page is ready
READY_JS = "() => { document.documentElement.dataset.sbReady = 'ja'; }"

#: the conversation downloads from the browser's own memory: nothing is written on the server
DOWNLOAD_JS = """(text) => {
  if (!text) { return; }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: 'text/markdown;charset=utf-8'}));
  link.download = 'samtale.md';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}"""

#: the stop button's own code (issue 14): its click (mouse, Enter or Space) goes to the server at once,
#: and the focus goes back to the question box
STOP_ON_LOAD = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.sb-stop');
  if (!button) return;
  trigger('click', {stop: true});
  const box = document.querySelector('#sb-question textarea');
  if (box) box.focus();
});
"""
