// What every read-model view shares: filters, chart, sortable table and CSV links for one
// read model. A view module (views/<name>.js) supplies its spec:
//   {name, filters: [column, …], chart(rows) → {labels, datasets, options}}
// Filters are exact-match query parameters named after the column (organiser=, kind=, year=,
// role=, …) on GET /v1/projections/{name}; the table shows the rows the server returned.

import {bar_chart, chart_canvas} from '../charts.js';
import {el, unique_id} from '../dom.js';
import {label, money, number, percent, t} from '../i18n.js';
import {download, token, url} from '../api.js';

const money_columns = new Set(['costs', 'cost_per_contract']);
const ratio_columns = new Set(['conversion', 'ratio', 'share_invited']);
const filter_state = new Map();  // view name → {column: value}, kept across navigation
const sort_state = new Map();    // view name → {column, direction}

/// A cell's text for people: amounts per currency, ratios as percentages, numbers by locale.
export function cell_text(column, value) {
  if (value === null || value === undefined) return '–';
  if (money_columns.has(column) && typeof value === 'object') {
    const parts = Object.entries(value).map(([currency, minor]) => money(minor, currency));
    return parts.length ? parts.join(' · ') : '–';
  }
  if (typeof value === 'object') {
    return Object.entries(value).map(([stage, share]) => `${label('columns', stage)} ${percent(share)}`).join(' · ');
  }
  if (ratio_columns.has(column) && typeof value === 'number') return percent(value);
  if (typeof value === 'number') return column === 'year' ? String(value) : number(value);
  return label('values', value);
}

function sort_value(value) {
  if (value && typeof value === 'object') return Object.values(value)[0] ?? null;
  return value;
}

function sorted(rows, sort) {
  if (!sort) return rows;
  const factor = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sort_value(a[sort.column]);
    const y = sort_value(b[sort.column]);
    if (x === y) return 0;
    if (x === null || x === undefined) return -factor;
    if (y === null || y === undefined) return factor;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * factor;
  });
}

function render_table(spec, rows, columns, on_sort) {
  const sort = sort_state.get(spec.name);
  const head = el('tr', {}, columns.map((column) => {
    const numeric = rows.length && typeof rows[0][column] === 'number' && column !== 'year';
    const state = sort && sort.column === column ? sort.direction : 'none';
    return el('th', {scope: 'col', class: numeric ? 'num' : '', 'aria-sort': state},
              el('button', {type: 'button', onclick: () => on_sort(column)}, label('columns', column)));
  }));
  const body = sorted(rows, sort).map((row) => el('tr', {}, columns.map((column) => {
    const value = row[column];
    const link = column === 'campaign_id' && value;
    const text = cell_text(column, value);
    return el('td', {class: typeof value === 'number' && column !== 'year' ? 'num' : '',
                     dataset: {column, value: JSON.stringify(value ?? null)}},
              link ? el('a', {href: '#campaign/' + encodeURIComponent(value)}, text) : text);
  })));
  return el('div', {class: 'table-wrap'},
            el('table', {}, el('caption', {}, t('view.table_caption', {count: number(rows.length)})),
               el('thead', {}, head), el('tbody', {}, body)));
}

function distinct(rows, column) {
  const values = new Set(rows.map((row) => row[column]).filter((value) => value !== null && value !== undefined));
  return [...values].sort((a, b) => (typeof a === 'number' ? a - b : String(a).localeCompare(String(b))));
}

/// Renders the view into `root` and returns {refresh(min_position)} for live updates.
export function render_projection_view(root, spec, context) {
  const filters = filter_state.get(spec.name) || {};
  filter_state.set(spec.name, filters);
  const title_id = unique_id('title');
  const section = el('section', {'data-projection': spec.name, 'aria-labelledby': title_id});
  const filter_form = el('form', {class: 'filters', role: 'search', 'aria-label': t('view.filters')});
  const {box, canvas} = chart_canvas(t('view.chart_label', {name: t('projection.' + spec.name + '.title')}));
  const links = el('p', {class: 'downloads'});
  const table_box = el('div');
  section.append(el('h2', {id: title_id}, t('projection.' + spec.name + '.title')),
                 el('p', {class: 'figure-note'}, t('projection.' + spec.name + '.about')),
                 filter_form, links, box, table_box);
  root.replaceChildren(section);

  const params = () => ({...context.as_of_params(), ...filters});
  let options_rows = null;

  function draw_filters() {
    filter_form.replaceChildren(...spec.filters.map((column) => {
      const select = el('select', {name: column, onchange: () => {
        filters[column] = select.value;
        refresh();
      }}, el('option', {value: ''}, t('view.all')),
      distinct(options_rows || [], column).map((value) =>
        el('option', {value: String(value), selected: String(filters[column] ?? '') === String(value)},
           cell_text(column, value))));
      return el('label', {}, label('columns', column), select);
    }));
  }

  function draw_links() {
    const csv = url('/v1/projections/' + spec.name, {...params(), format: 'csv'});
    const excel = url('/v1/projections/' + spec.name, {...params(), format: 'csv', excel: 1});
    const link = (href, text, file) => el('a', {href, download: file, class: 'csv-link', onclick: (event) => {
      if (!token()) return;  // a plain link works without tokens
      event.preventDefault();
      download(href, file).catch((failure) => context.report(failure));
    }}, text);
    links.replaceChildren(link(csv, t('view.csv'), spec.name + '.csv'), ' · ',
                          link(excel, t('view.csv_excel'), spec.name + '-excel.csv'));
  }

  // The server filters (exact match on each parameter); a server without a filter ignores its
  // parameter, so the same exact match here keeps the table to what the filters say.
  const matches = (row) => Object.entries(filters).every(([column, value]) =>
    value === '' || value === undefined || String(row[column] ?? '') === String(value));

  function draw(answer) {
    const rows = answer.rows.filter(matches);
    section.dataset.position = answer.position ?? '';
    const columns = rows.length ? Object.keys(rows[0]) : [];
    const chart = spec.chart(rows);
    bar_chart(canvas, chart.labels, chart.datasets, chart.options);
    const on_sort = (column) => {
      const current = sort_state.get(spec.name);
      sort_state.set(spec.name, {column, direction:
          current && current.column === column && current.direction === 'ascending' ? 'descending' : 'ascending'});
      table_box.replaceChildren(render_table(spec, rows, columns, on_sort));
      table_box.querySelector(`th[aria-sort]:not([aria-sort="none"]) button`)?.focus();
    };
    table_box.replaceChildren(render_table(spec, rows, columns, on_sort));
    section.dataset.ready = 'true';
  }

  async function refresh(min_position) {
    section.dataset.ready = 'false';
    try {
      const extra = min_position === undefined ? {} : {min_position};
      if (!options_rows) {
        options_rows = (await context.query(spec.name, {...context.as_of_params(), ...extra})).rows;
        draw_filters();
      }
      draw_links();
      draw(await context.query(spec.name, {...params(), ...extra}));
    } catch (failure) {
      context.report(failure);
    }
  }

  refresh();
  return {refresh: (min_position) => { options_rows = null; return refresh(min_position); }};
}

/// Labels for chart rows: the given columns' texts joined ("region-kalmar · 2024").
export function row_label(row, columns) {
  return columns.map((column) => cell_text(column, row[column])).join(' · ');
}
