// Campaign drill-down: one campaign's event timeline (GET /v1/streams/campaign-<id>) and its
// applications through the stages (its recruits-per-campaign row).

import {bar_chart, chart_canvas} from '../charts.js';
import {el} from '../dom.js';
import {date, date_time, label, number, t} from '../i18n.js';
import {cell_text} from './projection_view.js';

const stages = ['applications', 'shortlisted', 'interviewed', 'offers', 'offers_accepted',
                'contracts_signed', 'started'];

function picker(context, current) {
  const input = el('input', {id: 'campaign-id', name: 'campaign', value: current || '', required: true,
                             list: 'campaign-ids', autocomplete: 'off'});
  const options = el('datalist', {id: 'campaign-ids'});
  context.query('recruits-per-campaign', context.as_of_params()).then((answer) => {
    options.replaceChildren(...answer.rows.map((row) => el('option', {value: row.campaign_id}, row.name ?? '')));
  }).catch(() => {});
  return el('form', {class: 'filters', onsubmit: (event) => {
    event.preventDefault();
    location.hash = '#campaign/' + encodeURIComponent(input.value.trim());
  }}, el('label', {for: 'campaign-id'}, t('campaign.pick')), input, options,
  el('button', {type: 'submit'}, t('campaign.show')));
}

function summary(data) {
  return Object.entries(data).filter(([, value]) => value !== null && !(Array.isArray(value) && !value.length))
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`).join(' · ');
}

export async function render(root, context, campaign_id) {
  const section = el('section', {'data-view': 'campaign', 'aria-labelledby': 'campaign-title'},
                     el('h2', {id: 'campaign-title'}, t('campaign.title')), picker(context, campaign_id));
  root.replaceChildren(section);
  if (!campaign_id) return {refresh: () => {}};

  const as_of = context.as_of_params();
  const [stream, counts] = await Promise.all([
    context.stream('campaign-' + campaign_id),
    context.query('recruits-per-campaign', as_of),
  ]);
  const row = counts.rows.find((candidate) => candidate.campaign_id === campaign_id);
  // The stream read is always the present; in the past, show the events up to that point.
  const limit = context.as_of_position();
  const events = stream.events.filter((event) => limit === null || event.position <= limit)
                              .filter((event) => !context.as_of_time() || event.recorded_at <= context.as_of_time());

  section.append(el('h3', {}, row?.name ?? campaign_id));
  if (row) {
    const {box, canvas} = chart_canvas(t('campaign.stages_label'));
    section.append(el('p', {class: 'figure-note'}, `${label('values', row.kind)} · ${row.organiser ?? ''} · ${
        t('campaign.costs')}: ${cell_text('costs', row.costs)}`), box);
    bar_chart(canvas, stages.map((stage) => label('columns', stage)),
              [{label: t('campaign.applications'), data: stages.map((stage) => row[stage])}]);
  }
  section.append(el('h3', {}, t('campaign.timeline', {count: number(events.length)})),
                 el('ol', {class: 'timeline'}, events.map((event) => el('li', {dataset: {position: event.position}},
                   el('strong', {}, label('event_types', event.type)), ' ',
                   el('span', {class: 'when'}, t('campaign.when', {occurred: date(event.occurred_at),
                      recorded: date_time(event.recorded_at), position: event.position, actor: event.actor})),
                   el('br'), el('code', {}, summary(event.data))))));
  section.dataset.ready = 'true';
  return {refresh: (min_position) => context.rerender(min_position)};
}
