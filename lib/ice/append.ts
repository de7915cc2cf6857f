/**
 * Appending to the small lists an agent keeps for its whole session.
 */

/**
 * Appends `item`; the first item of an empty list makes a new array of
 * exactly one (`replace` installs it). A `push` onto an empty array reserves
 * room for 17 (about 150 bytes), and most lists of an agent hold one entry
 * for the whole session (README "Capacity and speed"). The list's identity
 * only changes while it is empty, so no loop over it can miss the entry.
 */
export function appendTo<T>(list: T[], item: T, replace: (one: T[]) => void): void {
  if (list.length === 0) replace([item]);
  else list.push(item);
}
