import type { ApiError } from "../bindings/ApiError";
import type { UpdateOffer } from "../bindings/UpdateOffer";
import type { UpdateProgress } from "../bindings/UpdateProgress";
import { bytes } from "./backups";

/** What the footer says after a check: nothing for a quiet check at start that found nothing to
 * say (the newest version, or a build without updates). */
export function checkNote(found: UpdateOffer | null | ApiError, current: string, onDemand: boolean): string | null {
  if (found && "code" in found) {
    return onDemand || found.code !== "update_not_configured" ? found.message : null;
  }
  if (found) return null;
  return onDemand ? `Flightdeck ${current} is the newest version.` : null;
}

/** "3.2 MB of 40.8 MB", or what has arrived when the server did not say the size. */
export function downloadLine(p: UpdateProgress): string {
  return p.total ? `${bytes(p.received)} of ${bytes(p.total)}` : `${bytes(p.received)} received`;
}

/** The share downloaded, 0–100. */
export function downloadPercent(p: UpdateProgress): number {
  return p.total ? Math.min(100, Math.round((100 * p.received) / p.total)) : 0;
}

/** The publish date as a day, as the release wrote it when it is not a date. */
export function publishedDay(published: string | null): string | null {
  if (!published) return null;
  const day = new Date(published);
  return Number.isNaN(day.getTime()) ? published : day.toISOString().slice(0, 10);
}
