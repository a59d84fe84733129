// Message catalogues (i18n/<lang>.json) and locale-aware formatting with Intl. The language is
// the user's choice (remembered in localStorage) or the first of navigator.languages that we
// have; Norwegian (no, nn) reads bokmål.

export const languages = ['sv', 'en', 'nb', 'da'];
const choice_key = 'recruit-ledger.language';
let current = 'en';
let messages = {};
let fallback = {};

export function pick_language() {
  const chosen = localStorage.getItem(choice_key);
  if (languages.includes(chosen)) return chosen;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const primary = tag.toLowerCase().split('-')[0];
    const mapped = primary === 'no' || primary === 'nn' ? 'nb' : primary;
    if (languages.includes(mapped)) return mapped;
  }
  return 'en';
}

export async function load_language(lang, remember = false) {
  const fetch_catalogue = async (name) => (await fetch('/assets/i18n/' + name + '.json')).json();
  if (!Object.keys(fallback).length) fallback = await fetch_catalogue('en');
  messages = lang === 'en' ? fallback : await fetch_catalogue(lang);
  current = lang;
  if (remember) localStorage.setItem(choice_key, lang);
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
}

export function language() { return current; }

/// The locale for Intl: the user's own tag of the chosen language when they list one
/// ("en-GB" rather than "en"), so dates and numbers follow their region.
function intl_locale() {
  const own = (navigator.languages || []).find((tag) => tag.toLowerCase().split('-')[0] === current);
  return own || current;
}

/// The message `key` ("as_of.title"), with {name} placeholders filled from `values`; the
/// English text when this language lacks it, the key itself when both do.
export function t(key, values = {}) {
  const lookup = (catalogue) => key.split('.').reduce((node, part) => node && node[part], catalogue);
  const text = lookup(messages) ?? lookup(fallback) ?? key;
  return String(text).replace(/\{(\w+)\}/g, (match, name) => (name in values ? values[name] : match));
}

/// A column's or value's label if the catalogue has one, else the text itself.
export function label(group, value) {
  const key = group + '.' + value;
  const text = t(key);
  return text === key ? String(value) : text;
}

export function number(value, options = {}) {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(intl_locale(), options).format(value);
}

export function percent(value) {
  return value === null || value === undefined ? '–' : number(value, {style: 'percent', maximumFractionDigits: 1});
}

/// An amount in minor units of `currency`, e.g. 1060000000 SEK → "10 600 000,00 kr".
export function money(minor, currency) {
  if (minor === null || minor === undefined) return '–';
  const format = new Intl.NumberFormat(intl_locale(), {style: 'currency', currency});
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(minor / 10 ** digits);
}

export function date_time(text) {
  if (!text) return '–';
  const when = new Date(text);
  return Number.isNaN(when.getTime()) ? text
      : new Intl.DateTimeFormat(intl_locale(), {dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC'}).format(when);
}

export function date(text) {
  if (!text) return '–';
  const when = new Date(text);
  return Number.isNaN(when.getTime()) ? text
      : new Intl.DateTimeFormat(intl_locale(), {dateStyle: 'medium', timeZone: 'UTC'}).format(when);
}
