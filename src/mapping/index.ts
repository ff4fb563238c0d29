export { mapDirectory, tracePerson, excludedBecause, type PersonTrace } from './map-directory.js';
export { groupNesting, inherited } from './group-closure.js';
export { compileTeamRules } from './team-rules.js';
export { checkListEntry, checkRule, expandTemplate, listMatcher } from './patterns.js';
