// The session: a bearer token pasted by the user (development) or injected by a sign-in proxy, and a purpose.
// Kept in sessionStorage only (gone when the tab closes), never in localStorage, cookies or the URL.

const KEY = 'mashgraph.session';

export function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return saved && typeof saved.token === 'string' && saved.purpose ? saved : null;
  } catch {
    return null;
  }
}

export function saveSession(token, purpose) {
  const session = {token: token.trim().replace(/^Bearer\s+/i, ''), purpose};
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/**
 * Read a deep link's fragment (#person=ID&token=T&purpose=P), then remove it from the address bar and the
 * history entry, so the token is neither left on screen nor kept in history. Fragments never reach the
 * server (nor its logs). Returns what it found, e.g. {person: 'per_...'}.
 */
export function takeFragment() {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) return {};
  const params = new URLSearchParams(hash);
  const found = Object.fromEntries(params.entries());
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  if (found.token && found.purpose) saveSession(found.token, found.purpose);
  delete found.token;
  return found;
}

/** The token's claims, for display only (the server verifies the token; the page never trusts this). */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')));
  } catch {
    return {};
  }
}
