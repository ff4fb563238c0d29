/** What a target holds (Actual), normalised. Ids are strings so any target fits. */

export interface TargetUser {
  id: string;
  email: string;
  displayName: string;
  teamIds: string[];
}

export interface TargetTeam {
  id: string;
  name: string;
  /** The admin team: must always keep one member, cannot be renamed or deleted. */
  isOwner: boolean;
  /** Users cannot be added through the API (Chartio's "Added from Dashboard"); never managed. */
  noAdd: boolean;
  memberIds: string[];
}

export interface Actual {
  users: TargetUser[];
  teams: TargetTeam[];
}

/** Rules of the target the planner must respect. */
export interface TargetCapabilities {
  maxUsers: number;
  maxTeams: number;
  /** A user is created with one initial team (Chartio). */
  createUserNeedsTeam: boolean;
  /** Removing a user's last team is refused; delete the user instead (Chartio). */
  userNeedsOneTeam: boolean;
}
