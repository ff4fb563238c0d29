export { mapDirectory } from './map-directory.js';
export { groupClosure } from './group-closure.js';
export { compileTeamRules } from './team-rules.js';
