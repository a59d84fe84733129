// The dashboard's shell: language, sign-in and role, navigation (#overview, #view/<name>,
// #campaign/<id>, #record), the as-of picker and live updates. Views render into #view and
// return {refresh(min_position), leave?}; all data goes through api.js.

import * as api from './api.js';
import {el} from './dom.js';
import {date, language, languages, load_language, number, pick_language, t} from './i18n.js';
import * as overview from './views/overview.js';
import * as campaign from './views/campaign.js';
import * as record from './views/record.js';
import * as signin from './views/signin.js';
import * as recruits_per_campaign from './views/recruits-per-campaign.js';
import * as funnel from './views/funnel.js';
import * as hires_vs_target from './views/hires-vs-target.js';
import * as vacancies from './views/vacancies.js';
import * as outreach from './views/outreach.js';
import * as origin from './views/origin.js';
import * as retention from './views/retention.js';

const projection_views = [recruits_per_campaign, funnel, hires_vs_target, vacancies, outreach, origin, retention];
const view_root = document.getElementById('view');
const status_line = document.getElementById('status');
const live_state = document.getElementById('live-state');

const state = {
  as_of: null,            // null: now; {as_of} or {as_of_position}
  access: null,           // {tokens_required, can_append}
  current: null,          // the rendered view's handle
  live_listener: null,
  last_position: null,
  live: null,             // AbortController of the subscription
  refresh_timer: null,
};

function report(failure) {
  if (failure instanceof api.ApiError && failure.status === 401) {
    show_sign_in(t('signin.needed'));
    return;
  }
  status_line.className = 'status error';
  status_line.textContent = t('error', {message: failure.message});
  console.warn(failure);
}

const context = {
  as_of_params: () => ({...(state.as_of || {})}),
  as_of_active: () => state.as_of !== null,
  as_of_position: () => (state.as_of && 'as_of_position' in state.as_of ? Number(state.as_of.as_of_position) : null),
  as_of_time: () => (state.as_of && state.as_of.as_of) || null,
  // Once an event has arrived live, every present-time query waits until the read model has
  // folded it (min_position), so a redraw never shows less than the live feed announced.
  query: (name, params) => api.get_json('/v1/projections/' + encodeURIComponent(name), {
    ...(state.last_position !== null && !state.as_of ? {min_position: state.last_position} : {}), ...params}),
  stream: (stream) => api.get_json('/v1/streams/' + encodeURIComponent(stream), {limit: 1000}),
  catalog: () => api.get_json('/v1/catalog'),
  audit: () => api.get_json('/v1/audit/verify'),
  append: (stream, body) => api.post_json('/v1/streams/' + encodeURIComponent(stream) + '/events', body),
  report,
  rerender: (min_position) => render_route(min_position),
  on_live_event: (listener) => { state.live_listener = listener; },
  sign_in: async (token) => {
    api.sign_in(token);
    state.access = null;
    if (await check_access()) { location.hash = '#overview'; render_route(); }
  },
};

function show_sign_in(reason) {
  leave_current();
  state.current = signin.render(view_root, context, reason);
  draw_nav(null);
}

function leave_current() {
  state.current?.leave?.();
  state.current = null;
}

/// Whether the data can be read: probes with the catalogue, then whether the token may append.
async function check_access() {
  try {
    await api.get_json('/v1/catalog');
  } catch (failure) {
    if (failure instanceof api.ApiError && failure.status === 401) {
      show_sign_in(api.token() ? t('signin.rejected') : t('signin.needed'));
      return false;
    }
    throw failure;
  }
  state.access = {tokens_required: !!api.token(), can_append: await api.can_append()};
  document.getElementById('who').textContent = state.access.tokens_required
      ? t(state.access.can_append ? 'signin.as_writer' : 'signin.as_reader') : t('signin.local');
  document.getElementById('sign-out').hidden = !api.token();
  start_live();
  return true;
}

function nav_entries() {
  const entries = [['#overview', t('nav.overview')]];
  for (const view of projection_views) entries.push(['#view/' + view.spec.name, t('projection.' + view.spec.name + '.title')]);
  entries.push(['#campaign', t('nav.campaign')]);
  if (state.access?.can_append && !state.as_of) entries.push(['#record', t('nav.record')]);
  return entries;
}

function draw_nav(active) {
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  nav.replaceChildren(...(state.access ? nav_entries() : []).map(([href, text]) =>
    el('a', {href, 'aria-current': href === active ? 'page' : null}, text)));
}

async function render_route(min_position) {
  if (!state.access) return;
  const [head, ...rest] = (location.hash || '#overview').slice(1).split('/');
  const argument = rest.length ? decodeURIComponent(rest.join('/')) : '';
  let active = '#' + head + (head === 'view' ? '/' + argument : '');
  status_line.className = 'status';
  status_line.textContent = t('loading');
  const refreshing = min_position !== undefined;
  if (!refreshing) leave_current();
  try {
    if (head === 'view' && projection_views.some((view) => view.spec.name === argument)) {
      const view = projection_views.find((candidate) => candidate.spec.name === argument);
      if (refreshing && state.current?.refresh) await state.current.refresh(min_position);
      else state.current = view.render(view_root, context);
    } else if (head === 'campaign') {
      state.current = await campaign.render(view_root, context, argument);
    } else if (head === 'record' && state.access.can_append && !state.as_of) {
      if (!refreshing) state.current = await record.render(view_root, context);
    } else {
      active = '#overview';
      state.current = await overview.render(view_root, context);
    }
    status_line.textContent = '';
  } catch (failure) {
    report(failure);
  }
  draw_nav(active);
}

function start_live() {
  state.live?.abort();
  state.live = new AbortController();
  const signal = state.live.signal;
  api.get_json('/v1/projections').then((list) => {
    const head = Math.max(0, ...list.projections.map((entry) => (entry.position === null ? 0 : entry.position + 1) + entry.lag));
    return api.subscribe(head, on_live_event, (text) => {
      live_state.textContent = t('live.' + text);
      live_state.dataset.state = text;
    }, signal);
  }).catch(report);
}

function on_live_event(event) {
  state.last_position = event.position;
  live_state.textContent = t('live.last', {position: number(event.position), type: event.type});
  state.live_listener?.(event);
  if (state.as_of) return;  // the past does not change
  clearTimeout(state.refresh_timer);
  state.refresh_timer = setTimeout(() => state.current?.refresh?.(state.last_position), 300);
}

function draw_as_of_banner() {
  const banner = document.getElementById('past-banner');
  document.body.classList.toggle('past', !!state.as_of);
  banner.hidden = !state.as_of;
  if (!state.as_of) return;
  banner.textContent = 'as_of_position' in state.as_of
      ? t('as_of.banner_position', {position: number(Number(state.as_of.as_of_position))})
      : t('as_of.banner_date', {date: date(state.as_of.as_of)});
}

function setup_as_of() {
  const mode = document.getElementById('as-of-mode');
  const show_inputs = () => {
    document.getElementById('as-of-date-label').hidden = mode.value !== 'date';
    document.getElementById('as-of-position-label').hidden = mode.value !== 'position';
  };
  mode.addEventListener('change', show_inputs);
  document.getElementById('as-of').addEventListener('submit', (event) => {
    event.preventDefault();
    const day = document.getElementById('as-of-date').value;
    const position = document.getElementById('as-of-position').value;
    if (mode.value === 'date' && day) state.as_of = {as_of: day + 'T23:59:59Z'};
    else if (mode.value === 'position' && position !== '') state.as_of = {as_of_position: position};
    else state.as_of = null;
    draw_as_of_banner();
    if (state.as_of && location.hash === '#record') location.hash = '#overview';
    else render_route();
  });
  show_inputs();
}

async function start() {
  const chosen = pick_language();
  await load_language(chosen);
  const language_select = document.getElementById('language');
  language_select.value = language();
  language_select.addEventListener('change', async () => {
    if (!languages.includes(language_select.value)) return;
    await load_language(language_select.value, true);
    draw_as_of_banner();
    if (state.access) render_route(); else show_sign_in();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    api.sign_out();
    state.live?.abort();
    state.access = null;
    location.hash = '#overview';
    check_access().then((ok) => ok && render_route()).catch(report);
  });
  setup_as_of();
  window.addEventListener('hashchange', () => render_route());
  try {
    if (await check_access()) await render_route();
  } catch (failure) {
    report(failure);
  }
  document.body.dataset.started = 'true';
}

start();
