/** What the directory says the target should hold, after mapping. */

export interface DesiredTeam {
  name: string;
  /** Stable key of what produced the team (group sourceId, or "name:<team>"): lets a renamed group rename its team. */
  key: string;
}

export interface DesiredPerson {
  sourceId: string;
  email: string;
  displayName: string;
  /** Team names, sorted, deduplicated. */
  teams: string[];
}

export interface Desired {
  teams: DesiredTeam[];
  people: DesiredPerson[];
  /** Mapping problems (cycles, unknown groups) for the plan's warnings. */
  warnings: string[];
}
