// origin: contracts signed by the country where the doctor trained, per year of starting.

import {label, t} from '../i18n.js';
import {render_projection_view} from './projection_view.js';

export const spec = {
  name: 'origin',
  filters: ['country_of_training', 'year'],
  chart: (rows) => {
    // One bar per country, one dataset per year: the rows as the read model gives them.
    const countries = [...new Set(rows.map((row) => row.country_of_training ?? t('view.unknown')))];
    const years = [...new Set(rows.map((row) => row.year))];
    return {
      labels: countries,
      datasets: years.map((year) => ({
        label: year === null ? t('view.unknown') : String(year),
        data: countries.map((country) => rows.find((row) =>
          (row.country_of_training ?? t('view.unknown')) === country && row.year === year)?.contracts_signed ?? 0),
      })),
      options: {stacked: true, label: label('columns', 'contracts_signed')},
    };
  },
};

export function render(root, context) { return render_projection_view(root, spec, context); }
