/**
 * Back-office views that span the whole platform: the operator's dashboard (volumes, success by method,
 * ResultURL failures, job queue depth and age) and the audit log search. Reads only.
 */
export { registerBackofficeRoutes } from './backoffice.routes.js';
export { readPlatformDashboard, type PlatformDashboard } from './platform-dashboard.js';
export { searchAudit, type AuditSearch } from './audit-search.js';
