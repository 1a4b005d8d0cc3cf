/** The locale dates are shown in: JupyterLab's display language (set at activation). */
let displayLocale: string | undefined = undefined;

export function setDisplayLocale(locale: string | undefined): void {
  displayLocale =
    locale && locale !== 'default' ? locale.replace('_', '-') : undefined;
}

/** Epoch milliseconds as local date and time (empty when unknown). */
export function formatTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString(displayLocale);
}

/** The exact instant, for a tooltip. */
export function exactTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1]
];

/** "3 minutes ago" in the display language (empty when unknown). */
export function relativeTime(ms: number | null, now = Date.now()): string {
  if (ms === null) {
    return '';
  }
  const seconds = Math.round((ms - now) / 1000);
  const format = new Intl.RelativeTimeFormat(displayLocale, {
    numeric: 'auto'
  });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return '';
}

/** JSON indented by object, with arrays of plain values kept on one line (rows). */
export function compactJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) {
    return '';
  }
  return text.replace(/\[\s*\n([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => {
    const items = inner
      .split('\n')
      .map(line => line.trim())
      .join(' ');
    return `[${items}]`;
  });
}
