/**
 * CronJob schedule validation: a schedule is valid when upstream's cron parser accepts it
 * (../cron.ts, the parser the CronJob controller uses too). Error texts are the parser's, as
 * upstream puts them in the Invalid value message.
 */
import { CronSyntaxError, parseCronSpec } from '../cron.js';

/** The parser's error for a bad schedule, or undefined when upstream would accept it. */
export function cronScheduleError(schedule: string): string | undefined {
  try {
    parseCronSpec(schedule);
    return undefined;
  } catch (e) {
    if (e instanceof CronSyntaxError) return e.message;
    throw e;
  }
}
