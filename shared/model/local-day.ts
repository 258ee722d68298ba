/**
 * The start of the day `ms` falls in, in the running process's time zone: the station's "today"
 * for the provisioning counts, the viewer's when the dashboard asks (issue 11).
 */
export function localMidnight(ms: number): number {
  const day = new Date(ms);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}
