// retention: doctors started per campaign, and how many stayed 12 and 24 months.

import {label} from '../i18n.js';
import {render_projection_view} from './projection_view.js';

export const spec = {
  name: 'retention',
  filters: ['campaign_id'],
  chart: (rows) => {
    const shown = rows.filter((row) => row.started > 0);
    return {
      labels: shown.map((row) => row.campaign_id),
      datasets: ['started', 'retained_12m', 'retained_24m'].map((column) => ({
        label: label('columns', column), data: shown.map((row) => row[column])})),
    };
  },
};

export function render(root, context) { return render_projection_view(root, spec, context); }
