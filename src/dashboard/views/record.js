// "Record an event": a form generated from GET /v1/catalog (type → its fields, required ones,
// enum values), posted to POST /v1/streams/{stream}/events. A 422 is shown beside the field
// it names (details.field, "data.country") or, for a rule, beside the stream. Below it, the
// events arriving live over the subscription.

import {el, unique_id} from '../dom.js';
import {date_time, label, t} from '../i18n.js';

const input_types = {date: 'date', integer: 'number', 'date-time': 'datetime-local'};

function field_control(field) {
  const id = unique_id('field');
  const common = {id, name: field.name, required: field.required, 'aria-describedby': id + '-error'};
  let control;
  if (field.type === 'enum') {
    control = el('select', common, field.required ? null : el('option', {value: ''}, '–'),
                 field.values.map((value) => el('option', {value}, label('values', value))));
  } else if (field.type === 'boolean') {
    control = el('select', common, field.required ? null : el('option', {value: ''}, '–'),
                 el('option', {value: 'true'}, t('record.yes')), el('option', {value: 'false'}, t('record.no')));
  } else if (field.type === 'array') {
    control = el('input', {...common, type: 'text', placeholder: t('record.list_hint')});
  } else {
    control = el('input', {...common, type: input_types[field.type] || 'text', min: field.type === 'integer' ? 0 : null,
                           step: field.type === 'integer' ? 1 : null,
                           placeholder: field.type === 'country' ? 'SE' : field.type === 'currency' ? 'SEK' : null,
                           value: field.default ?? null});
  }
  const hint = field.type === 'array' ? t('record.list_of', {type: field.items.type}) : label('field_types', field.type);
  return el('div', {class: 'form-field', dataset: {field: field.name}},
            el('label', {for: id}, field.name, field.required ? ' *' : '', ' ', el('span', {class: 'hint'}, `(${hint})`)),
            control, el('span', {id: id + '-error', class: 'field-error', 'aria-live': 'polite'}));
}

function value_of(field, control) {
  const text = control.value.trim();
  if (text === '') return undefined;
  if (field.type === 'integer') return Number(text);
  if (field.type === 'boolean') return text === 'true';
  if (field.type === 'array') return text.split(',').map((item) => item.trim()).filter(Boolean);
  if (field.type === 'date-time') return new Date(text).toISOString();
  return text;
}

function show_error(form, failure) {
  const field = failure.details.field ? failure.details.field.replace(/^data\./, '').replace(/\[.*$/, '') : null;
  const place = (field && form.querySelector(`.form-field[data-field="${CSS.escape(field)}"]`))
             || form.querySelector('.form-field[data-field="@stream"]');
  const rule = failure.details.rule ? ` (${failure.details.rule})` : '';
  const reason = failure.details.reason && !failure.message.includes(failure.details.reason)
      ? `: ${failure.details.reason}` : '';
  place.classList.add('invalid');
  place.querySelector('.field-error').textContent = failure.message + reason + rule;
  place.querySelector('input, select')?.setAttribute('aria-invalid', 'true');
  place.querySelector('input, select')?.focus();
}

function clear_errors(form) {
  for (const invalid of form.querySelectorAll('.invalid')) invalid.classList.remove('invalid');
  for (const message of form.querySelectorAll('.field-error')) message.textContent = '';
  for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
}

/// The event's `data` from the generated controls: only the fields given a value.
function collect_data(form, type) {
  const data = {};
  for (const field of type.fields) {
    const value = value_of(field, form.querySelector(`.form-field[data-field="${field.name}"] [name]`));
    if (value !== undefined) data[field.name] = value;
  }
  return data;
}

/// Appends the form's event; shows where it was stored, or the refusal at its field or rule.
async function submit(form, parts, context) {
  clear_errors(form);
  const type = parts.types.find((entry) => entry.type === parts.type_select.value);
  const id = parts.stream_input.value.trim();
  const stream = type.category === 'any' ? id : `${type.category}-${id}`;
  parts.outcome.textContent = t('record.sending');
  try {
    const answer = await context.append(stream, {expected_version: 'any',
      events: [{type: type.type, occurred_at: parts.occurred.value, data: collect_data(form, type)}]});
    parts.outcome.className = 'outcome ok';
    parts.outcome.textContent = t('record.stored', {position: answer.body.first_position, stream});
  } catch (failure) {
    if (![400, 404, 409, 413, 415, 422].includes(failure.status)) {
      parts.outcome.textContent = '';
      context.report(failure);
      return;
    }
    parts.outcome.className = 'outcome form-error';
    parts.outcome.textContent = t('record.refused', {code: failure.code || ''});
    show_error(form, failure);
  }
}

export async function render(root, context) {
  const catalogue = await context.catalog();
  const types = catalogue.types;
  const type_select = el('select', {id: 'record-type', name: 'type', required: true},
                         types.map((type) => el('option', {value: type.type}, label('event_types', type.type))));
  const stream_id = unique_id('field');
  const stream_input = el('input', {id: stream_id, name: 'stream', required: true, 'aria-describedby': stream_id + '-error',
                                    pattern: '[A-Za-z0-9._:\\-]{1,128}'});
  const prefix = el('span', {class: 'hint'});
  const occurred = el('input', {id: 'record-occurred', name: 'occurred_at', type: 'date', required: true,
                                value: new Date().toISOString().slice(0, 10)});
  const fields_box = el('div', {class: 'form-grid'});
  const outcome = el('p', {role: 'status', class: 'outcome'});
  const live_list = el('ol', {class: 'timeline', id: 'live-events'});

  function draw_fields() {
    const type = types.find((entry) => entry.type === type_select.value);
    prefix.textContent = type.category === 'any' ? t('record.any_stream') : `${type.category}-`;
    fields_box.replaceChildren(...type.fields.map(field_control));
  }
  type_select.addEventListener('change', draw_fields);

  const parts = {types, type_select, stream_input, occurred, outcome};
  const form = el('form', {class: 'record', 'aria-labelledby': 'record-title', onsubmit: (event) => {
    event.preventDefault();
    submit(form, parts, context);
  }},
  el('div', {class: 'form-grid'},
     el('div', {class: 'form-field'}, el('label', {for: 'record-type'}, t('record.type')), type_select),
     el('div', {class: 'form-field', dataset: {field: '@stream'}},
        el('label', {for: stream_id}, t('record.stream'), ' ', prefix), stream_input,
        el('span', {id: stream_id + '-error', class: 'field-error', 'aria-live': 'polite'})),
     el('div', {class: 'form-field'}, el('label', {for: 'record-occurred'}, t('record.occurred_at')), occurred)),
  el('h3', {}, t('record.data')), fields_box,
  el('p', {}, el('button', {type: 'submit'}, t('record.submit'))), outcome);

  root.replaceChildren(el('section', {'data-view': 'record', 'aria-labelledby': 'record-title'},
    el('h2', {id: 'record-title'}, t('record.title')), el('p', {class: 'figure-note'}, t('record.about')), form,
    el('h3', {}, t('record.live')), live_list));
  draw_fields();

  const on_event = (event) => {
    live_list.prepend(el('li', {dataset: {position: event.position, stream: event.stream}},
      el('strong', {}, label('event_types', event.type)), ' ', event.stream, ' ',
      el('span', {class: 'when'}, `#${event.position} · ${date_time(event.recorded_at)} · ${event.actor}`)));
    while (live_list.children.length > 20) live_list.lastChild.remove();
  };
  context.on_live_event(on_event);
  root.querySelector('[data-view="record"]').dataset.ready = 'true';
  return {refresh: () => {}, leave: () => context.on_live_event(null)};
}
