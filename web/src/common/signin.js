// The sign-in form and the signed-in bar, shared by both pages.
import {$, announce, fill, h} from './dom.js';
import {claims, clearSession, loadSession, saveSession} from './session.js';

/**
 * Wire up #signin (token + purpose) and #whoami. onSession(session) runs once a session exists (restored
 * from this tab, taken from a deep link, or signed in now); onSignOut() after signing out.
 */
export function setupSignIn({onSession, onSignOut, defaultPurpose}) {
  const form = $('#signin');
  const dialog = $('#signin-panel');
  const status = $('#signin-status');
  const purpose = $('#signin-purpose');
  if (defaultPurpose && [...purpose.options].some((o) => o.value === defaultPurpose)) purpose.value = defaultPurpose;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // An empty token is allowed: behind a sign-in proxy (OIDC), the proxy adds the bearer token itself.
    const token = $('#signin-token').value.trim();
    const session = saveSession(token, purpose.value);
    $('#signin-token').value = '';
    start(session);
  });
  $('#signout').addEventListener('click', () => {
    clearSession();
    showSignIn('Signed out. The token is no longer kept in this tab.');
    onSignOut();
  });

  function start(session) {
    const who = claims(session.token);
    fill($('#whoami-text'), session.token
      ? [h('span', {}, who.sub || 'unknown user'), ' · ', h('span', {}, who.agency || '?'), ' · ', h('span', {}, who.role || '?')]
      : 'signed in by your organisation', ' · purpose ', h('strong', {}, session.purpose));
    $('#whoami').hidden = false;
    dialog.hidden = true;
    document.body.dataset.signedIn = 'true';
    onSession(session);
  }

  function showSignIn(message, kind = 'info') {
    $('#whoami').hidden = true;
    dialog.hidden = false;
    document.body.dataset.signedIn = 'false';
    if (message) announce(status, message, kind);
    $('#signin-token').focus();
  }

  return {
    start,
    showSignIn,
    resume() {
      const session = loadSession();
      if (session) start(session);
      else showSignIn();
    },
  };
}
