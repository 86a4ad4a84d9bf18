/** Request shapes of the support routes (TypeBox), shared by the cabinet and the back-office. */
import { Type } from '@sinclair/typebox';
import { MAX_ATTACHMENT_BASE64_LENGTH } from './support.attachments.js';
import { FEEDBACK_CATEGORIES, FEEDBACK_STATUSES, TICKET_STATUSES, TICKET_TOPICS } from './support.tables.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((value) => Type.Literal(value)));

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const TicketStatusSchema = literals(TICKET_STATUSES);
export const FeedbackStatusSchema = literals(FEEDBACK_STATUSES);

/**
 * Files travel as base64 inside the JSON body. The count is checked by the service (its own message);
 * the schema only bounds the body so a client cannot make the server hold more than a full post.
 */
const Attachments = Type.Optional(
  Type.Array(
    Type.Object(
      {
        fileName: Type.String({ maxLength: 1000 }),
        contentBase64: Type.String({ maxLength: MAX_ATTACHMENT_BASE64_LENGTH }),
      },
      { additionalProperties: false },
    ),
    { maxItems: 20 },
  ),
);

const OptionalId = Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()]));

export const NewTicketBody = Type.Object(
  {
    topic: literals(TICKET_TOPICS),
    subject: Type.String({ maxLength: 1000 }),
    shopId: OptionalId,
    paymentId: OptionalId,
    body: Type.String({ maxLength: 20_000 }),
    attachments: Attachments,
  },
  { additionalProperties: false },
);

export const ReplyBody = Type.Object(
  { body: Type.String({ maxLength: 20_000 }), attachments: Attachments },
  { additionalProperties: false },
);

export const TicketListQuery = Type.Object({
  status: Type.Optional(TicketStatusSchema),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export const DeskQueueQuery = Type.Object({
  status: Type.Optional(Type.Union([TicketStatusSchema, Type.Literal('all')])),
  // "me", "none" or a staff user's id.
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  topic: Type.Optional(literals(TICKET_TOPICS)),
  overdue: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
});
export const AssigneeBody = Type.Object(
  { assigneeUserId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]) },
  { additionalProperties: false },
);
const OptionalText = Type.Optional(Type.Union([Type.String({ maxLength: 20_000 }), Type.Null()]));
export const CannedAnswerBody = Type.Object(
  {
    title: Type.String({ maxLength: 1000 }),
    bodyRu: OptionalText,
    bodyEn: OptionalText,
    category: Type.Optional(Type.Union([literals(TICKET_TOPICS), Type.Null()])),
  },
  { additionalProperties: false },
);
export const RevisionQuery = Type.Object({ since: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })) });

export const OperatorReplyBody = Type.Object(
  { body: Type.String({ maxLength: 20_000 }), status: Type.Optional(TicketStatusSchema) },
  { additionalProperties: false },
);
export const NoteBody = Type.Object(
  { body: Type.String({ maxLength: 20_000 }) },
  { additionalProperties: false },
);
export const StatusBody = Type.Object({ status: TicketStatusSchema }, { additionalProperties: false });

export const NewFeedbackBody = Type.Object(
  {
    category: literals(FEEDBACK_CATEGORIES),
    body: Type.String({ maxLength: 10_000 }),
    rating: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export const FeedbackQuery = Type.Object({ status: Type.Optional(FeedbackStatusSchema) });
export const FeedbackStatusBody = Type.Object(
  { status: FeedbackStatusSchema, answer: Type.Optional(Type.String({ maxLength: 10_000 })) },
  { additionalProperties: false },
);
