/** Whether the first-run dialog was seen (localStorage; not user data, so "Delete everything" keeps it). */
export const FIRST_RUN_KEY = 'heirloom.firstRunSeen.v1';

export function firstRunSeen(): boolean {
  try {
    return localStorage.getItem(FIRST_RUN_KEY) === '1';
  } catch {
    return false;
  }
}

export function markFirstRunSeen(): void {
  try {
    localStorage.setItem(FIRST_RUN_KEY, '1');
  } catch {
    // Private mode without storage: the dialog shows again next time.
  }
}
