// recruits-per-campaign: per campaign, applications through the stages to doctors started.

import {label} from '../i18n.js';
import {render_projection_view} from './projection_view.js';

export const spec = {
  name: 'recruits-per-campaign',
  filters: ['kind', 'organiser'],
  chart: (rows) => ({
    labels: rows.map((row) => row.name ?? row.campaign_id),
    datasets: ['applications', 'offers', 'contracts_signed', 'started'].map((column) => ({
      label: label('columns', column), data: rows.map((row) => row[column])})),
  }),
};

export function render(root, context) { return render_projection_view(root, spec, context); }
