// The explorer: a search box for any identifier, the profile 360 and the overview, routed by the URL fragment.
import { adoptTokenFromFragment, ApiError, clearToken, setToken, token } from './api.js';
import { disposeAll } from './charts.js';
import { h } from './dom.js';
import { renderOverview } from './overview.js';
import { renderProfile } from './profile.js';

const $ = (id) => document.getElementById(id);

function message(text) {
  const m = $('message');
  m.hidden = !text;
  m.textContent = text ?? '';
}

async function route() {
  if (!token()) {
    $('token-form').hidden = false;
    $('view').replaceChildren();
    return;
  }
  $('token-form').hidden = true;
  message(null);
  disposeAll();
  const view = $('view');
  view.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  try {
    if (path.startsWith('/profile/')) {
      const id = decodeURIComponent(path.slice('/profile/'.length));
      $('search-input').value = id;
      await renderProfile(view, id);
    } else {
      await renderOverview(view, new URLSearchParams(query));
    }
  } catch (err) {
    view.replaceChildren();
    if (err instanceof ApiError && err.status === 401) {
      clearToken();
      message(`${err.message}: enter another token`);
      $('token-form').hidden = false;
      return;
    }
    message(err.message);
  }
}

adoptTokenFromFragment();
$('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('search-input').value.trim();
  if (q) location.hash = `#/profile/${encodeURIComponent(q)}`;
});
$('token').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setToken($('token-input').value.trim());
  $('token-input').value = '';
  void route();
});
window.addEventListener('hashchange', () => { void route(); });
void route();
