// Small DOM helpers. Data from the API is only ever put into the page as text (textContent), never as HTML.

/** Create an element: h('button', {class: 'x', onclick: fn, 'aria-label': '...'}, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Announce a message to screen readers and show it in a status line. */
export function announce(el, message, kind = 'info') {
  el.textContent = message;
  el.dataset.kind = kind;
}

/** Offer a Blob as a download (save view, export PNG); nothing is uploaded anywhere. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', {href: url, download: filename, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** True when a key press is meant for a text field, not for a page shortcut. */
export function typing(event) {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
}

const AGENCY_SHORT = {police: 'POL', health: 'HLT', education: 'EDU', social_care: 'SC', housing: 'HSG', probation: 'PRB'};

export function agencyShort(code) {
  return AGENCY_SHORT[code] || String(code).slice(0, 3).toUpperCase();
}

/** An agency badge: the short code on a coloured chip, with the full name for assistive technology. */
export function agencyBadge(code, name) {
  return h('span', {class: `badge agency agency-${AGENCY_SHORT[code] ? code : 'other'}`, title: name || code},
    agencyShort(code), h('span', {class: 'visually-hidden'}, ` (${name || code})`));
}
