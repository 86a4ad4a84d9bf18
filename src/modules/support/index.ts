/**
 * Support: the merchants' tickets (a topic, optionally a shop and an operation, threaded posts with
 * files, statuses with first-reply and resolution times, live updates by polling a revision) and their
 * feedback; the operator's desk in the back-office (queue with filters and time figures, assignment,
 * replies, canned answers, internal notes, statuses, feedback triage). Replies and answers reach the
 * merchant through the messages module (category "support").
 */
export { registerSupportRoutes } from './support.routes.js';
export { registerSupportDeskRoutes } from './support-desk.routes.js';
export {
  decodeAttachments,
  downloadHeaders,
  MAX_ATTACHMENT_BASE64_LENGTH,
  MAX_ATTACHMENT_BYTES,
  type AttachmentInput,
} from './support.attachments.js';
