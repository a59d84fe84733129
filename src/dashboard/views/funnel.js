// funnel: applications through the stages per kind of campaign, organiser and year.

import {label} from '../i18n.js';
import {render_projection_view, row_label} from './projection_view.js';

const stages = ['applications', 'shortlisted', 'interviewed', 'offers', 'offers_accepted',
                'contracts_signed', 'started'];

export const spec = {
  name: 'funnel',
  filters: ['kind', 'organiser', 'year'],
  chart: (rows) => ({
    labels: rows.map((row) => row_label(row, ['organiser', 'year'])),
    datasets: stages.map((column) => ({label: label('columns', column), data: rows.map((row) => row[column])})),
  }),
};

export function render(root, context) { return render_projection_view(root, spec, context); }
