// outreach: interested candidates, those with contact consent, and the share invited.

import {label, t} from '../i18n.js';
import {render_projection_view} from './projection_view.js';

export const spec = {
  name: 'outreach',
  filters: ['campaign_id'],
  chart: (rows) => ({
    labels: rows.map((row) => row.campaign_id ?? t('view.no_campaign')),
    datasets: ['interested', 'interested_with_consent', 'invited'].map((column) => ({
      label: label('columns', column), data: rows.map((row) => row[column])})),
  }),
};

export function render(root, context) { return render_projection_view(root, spec, context); }
