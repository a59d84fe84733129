// The overview: the headline figures, each straight from a read model, and the audit state.
// Doctors recruited per recruitment trip (recruits-per-campaign, kind=recruitment_trip), hires
// against target (hires-vs-target), share of interested candidates invited (outreach) and
// median days to fill a vacancy (vacancies). The audit state needs an auditor token; other
// roles see why it is missing instead.

import {bar_chart, chart_canvas} from '../charts.js';
import {el} from '../dom.js';
import {date_time, label, number, percent, t} from '../i18n.js';
import {row_label} from './projection_view.js';

function card(title, ...children) {
  return el('section', {class: 'card'}, el('h3', {}, title), ...children);
}

function chart_card(title, note, draw) {
  const {box, canvas} = chart_canvas(title);
  box.classList.add('small');
  const figure = el('p', {class: 'figure'});
  const section = card(title, figure, el('p', {class: 'figure-note'}, note), box);
  return {section, figure, canvas, draw};
}

async function audit_card(context) {
  try {
    const audit = await context.audit();
    const state = audit.ok === undefined ? t('overview.audit_head_only')
        : audit.ok ? t('overview.chain_ok') : t('overview.chain_broken', {position: audit.first_bad_position ?? '?'});
    return card(t('overview.audit'),
      el('p', {class: 'figure', dataset: {audit: audit.ok ? 'ok' : 'unknown'}}, state),
      el('dl', {},
         el('dt', {}, t('overview.events')), el('dd', {dataset: {field: 'events'}}, number(audit.events)),
         el('dt', {}, t('overview.head_position')), el('dd', {dataset: {field: 'head_position'}}, number(audit.head_position)),
         el('dt', {}, t('overview.head_hash')), el('dd', {class: 'hash'}, audit.head_hash ?? '–'),
         el('dt', {}, t('overview.checked_at')), el('dd', {}, date_time(new Date().toISOString()))));
  } catch (failure) {
    if (failure.status === 403) return card(t('overview.audit'), el('p', {}, t('overview.audit_forbidden')));
    throw failure;
  }
}

export async function render(root, context) {
  const as_of = context.as_of_params();
  const [trips, hires, outreach, vacancies] = await Promise.all([
    context.query('recruits-per-campaign', {...as_of, kind: 'recruitment_trip'}),
    context.query('hires-vs-target', as_of),
    context.query('outreach', as_of),
    context.query('vacancies', as_of),
  ]);
  const trip_rows = trips.rows.filter((row) => row.kind === 'recruitment_trip');
  const contracts = trip_rows.reduce((sum, row) => sum + row.contracts_signed, 0);
  const with_target = hires.rows.filter((row) => row.target !== null);
  const filled = vacancies.rows.filter((row) => row.median_days_to_fill !== null);

  const cards = [
    chart_card(t('overview.per_trip'), t('overview.per_trip_note', {trips: number(trip_rows.length)}), (canvas) =>
      bar_chart(canvas, trip_rows.map((row) => row.name ?? row.campaign_id),
                [{label: label('columns', 'contracts_signed'), data: trip_rows.map((row) => row.contracts_signed)}],
                {horizontal: true})),
    chart_card(t('overview.hires_vs_target'), t('overview.hires_vs_target_note'), (canvas) =>
      bar_chart(canvas, with_target.map((row) => row_label(row, ['organisation', 'year', 'role'])),
                ['target', 'contracts_signed'].map((column) => ({label: label('columns', column),
                                                                 data: with_target.map((row) => row[column])})))),
    chart_card(t('overview.share_invited'), t('overview.share_invited_note'), (canvas) =>
      bar_chart(canvas, outreach.rows.map((row) => row.campaign_id ?? t('view.no_campaign')),
                ['interested', 'interested_with_consent', 'invited'].map((column) => ({
                  label: label('columns', column), data: outreach.rows.map((row) => row[column])})))),
    chart_card(t('overview.days_to_fill'), t('overview.days_to_fill_note'), (canvas) =>
      bar_chart(canvas, filled.map((row) => row_label(row, ['organisation', 'role'])),
                [{label: label('columns', 'median_days_to_fill'), data: filled.map((row) => row.median_days_to_fill)}],
                {horizontal: true})),
  ];
  cards[0].figure.textContent = t('overview.per_trip_figure', {contracts: number(contracts), trips: number(trip_rows.length)});
  cards[1].figure.textContent = t('overview.rows_with_target', {count: number(with_target.length)});
  // The read model's share per campaign, as it answers it (null where nobody had consent).
  const shares = outreach.rows.filter((row) => row.share_invited !== null)
                              .map((row) => `${row.campaign_id ?? t('view.no_campaign')} ${percent(row.share_invited)}`);
  cards[2].figure.textContent = t('overview.campaigns', {count: number(outreach.rows.length)});
  cards[2].section.querySelector('.figure-note').textContent =
      t('overview.share_invited_note') + ' ' + (shares.length ? shares.join(' · ') : t('overview.no_share'));
  cards[3].figure.textContent = t('overview.vacancy_groups', {count: number(filled.length)});

  const audit = context.as_of_active() ? card(t('overview.audit'), el('p', {}, t('overview.audit_now_only')))
                                       : await audit_card(context);
  const section = el('section', {class: 'overview', 'data-view': 'overview', 'aria-labelledby': 'overview-title'},
                     el('h2', {id: 'overview-title'}, t('overview.title')),
                     el('div', {class: 'cards'}, cards.map((c) => c.section), audit));
  section.dataset.position = trips.position ?? '';
  root.replaceChildren(section);
  for (const c of cards) c.draw(c.canvas);
  section.dataset.ready = 'true';
  return {refresh: (min_position) => context.rerender(min_position)};
}
