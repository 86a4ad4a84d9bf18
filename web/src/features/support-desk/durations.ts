// How long a request took, for people: "45 s", "12 min", "3 h 5 min", "2 d 4 h" (the two largest units).
import type { Translate } from '../../lib/i18n';

type DurationKey = 'duration.seconds' | 'duration.minutes' | 'duration.hoursMinutes' | 'duration.daysHours';

export function formatDuration(seconds: number | null, t: Translate<DurationKey>): string {
  if (seconds === null) return '—';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (minutes === 0) return t('duration.seconds', { n: Math.max(0, seconds) });
  if (hours === 0) return t('duration.minutes', { n: minutes });
  if (days === 0) return t('duration.hoursMinutes', { h: hours, m: minutes % 60 });
  return t('duration.daysHours', { d: days, h: hours % 24 });
}
