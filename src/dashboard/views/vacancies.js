// vacancies: positions opened, filled (first posting or after a repost), withdrawn and open.

import {label} from '../i18n.js';
import {render_projection_view, row_label} from './projection_view.js';

export const spec = {
  name: 'vacancies',
  filters: ['organisation', 'role'],
  chart: (rows) => ({
    labels: rows.map((row) => row_label(row, ['organisation', 'role'])),
    datasets: ['filled_first_posting', 'filled_after_repost', 'withdrawn', 'open'].map((column) => ({
      label: label('columns', column), data: rows.map((row) => row[column])})),
    options: {stacked: true},
  }),
};

export function render(root, context) { return render_projection_view(root, spec, context); }
