// hires-vs-target: contracts signed against the hiring target per organisation, year and role.

import {label} from '../i18n.js';
import {render_projection_view, row_label} from './projection_view.js';

export const spec = {
  name: 'hires-vs-target',
  filters: ['organisation', 'year', 'role'],
  chart: (rows) => ({
    labels: rows.map((row) => row_label(row, ['organisation', 'year', 'role'])),
    datasets: ['target', 'contracts_signed'].map((column) => ({
      label: label('columns', column), data: rows.map((row) => row[column])})),
  }),
};

export function render(root, context) { return render_projection_view(root, spec, context); }
