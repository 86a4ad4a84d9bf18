// Shapes of the support and feedback API (src/modules/support), as the cabinet reads them.
export const TICKET_TOPICS = [
  'payments',
  'refunds',
  'payouts',
  'integration',
  'moderation',
  'documents',
  'account',
  'other',
] as const;
export type TicketTopic = (typeof TICKET_TOPICS)[number];
export const TICKET_STATUSES = ['open', 'waiting_for_merchant', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const FEEDBACK_CATEGORIES = ['idea', 'problem', 'praise', 'other'] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];
export const FEEDBACK_STATUSES = ['received', 'under_review', 'planned', 'done', 'declined'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export interface Attachment {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

export interface TicketPost {
  id: string;
  authorKind: 'merchant' | 'operator';
  authorLogin: string | null;
  isInternal: boolean;
  body: string;
  createdAt: string;
  attachments: Attachment[];
}

export interface TicketSummary {
  id: string;
  topic: TicketTopic;
  subject: string;
  status: TicketStatus;
  shop: { id: string; name: string } | null;
  paymentId: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
  firstRepliedAt: string | null;
  resolvedAt: string | null;
}

export interface Ticket extends TicketSummary {
  posts: TicketPost[];
}

/** The desk's view of a ticket (the back-office): who handles it and how long it took. */
export interface DeskTicketSummary extends TicketSummary {
  accountId: string;
  accountLogin: string;
  authorLanguage: 'ru' | 'en';
  assignee: { id: string; login: string } | null;
  firstReplySeconds: number | null;
  resolutionSeconds: number | null;
  isOverdue: boolean;
}

export interface DeskTicket extends Ticket, DeskTicketSummary {}

export interface TimeFigures {
  count: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
}

export interface TicketQueue {
  items: DeskTicketSummary[];
  stats: { total: number; overdue: number; firstReply: TimeFigures; resolution: TimeFigures };
  replyTargetHours: number;
}

export interface SupportAgent {
  id: string;
  login: string;
}

export interface CannedAnswer {
  id: string;
  title: string;
  bodyRu: string | null;
  bodyEn: string | null;
  category: TicketTopic | null;
  createdAt: string;
  updatedAt: string;
}

export interface Feedback {
  id: string;
  category: FeedbackCategory;
  body: string;
  rating: number | null;
  status: FeedbackStatus;
  answer: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeskFeedback extends Feedback {
  accountId: string;
  accountLogin: string;
  authorLogin: string;
}

export interface AttachmentUpload {
  fileName: string;
  contentBase64: string;
}
