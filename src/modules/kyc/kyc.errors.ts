/** Errors of the KYC questionnaire and the field problems of its forms. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const kycErrors = defineErrors({
  administratorOnly: {
    status: 403,
    ru: 'Анкету заполняет и отправляет только администратор аккаунта.',
    en: 'Only the account administrator fills in and submits the questionnaire.',
  },
  notEditable: {
    status: 409,
    ru: 'Анкета на модерации или одобрена: менять её нельзя.',
    en: 'The questionnaire is under moderation or approved: it cannot be changed.',
  },
  notSubmitted: {
    status: 409,
    ru: 'Анкета не ждёт решения модератора.',
    en: 'The questionnaire is not waiting for a moderator’s decision.',
  },
  questionnaireNotFound: { status: 404, ru: 'Анкета не найдена.', en: 'Questionnaire not found.' },
  documentNotFound: { status: 404, ru: 'Документ не найден.', en: 'Document not found.' },
});

export const kycDocumentProblems = {
  required: {
    code: 'required',
    text: {
      ru: 'Приложите хотя бы один документ (скан паспорта или свидетельства о регистрации).',
      en: 'Attach at least one document (a passport or registration certificate scan).',
    },
  },
  typeNotAllowed: {
    code: 'file_type_not_allowed',
    text: {
      ru: 'Документ «{name}»: принимаются только PDF, JPEG и PNG.',
      en: 'The document "{name}": only PDF, JPEG and PNG are accepted.',
    },
  },
  tooMany: {
    code: 'too_many_files',
    text: { ru: 'Не больше {max} документов.', en: 'At most {max} documents.' },
  },
  reasonsRequired: {
    code: 'required',
    text: {
      ru: 'Укажите причину отказа хотя бы для одного поля.',
      en: 'Give a rejection reason for at least one field.',
    },
  },
  reasonUnknownField: {
    code: 'unknown_field',
    text: { ru: 'Такого поля в анкете нет.', en: 'The questionnaire has no such field.' },
  },
  reasonTooLong: {
    code: 'too_long',
    text: { ru: 'Не длиннее 500 символов.', en: 'At most 500 characters.' },
  },
} satisfies Record<string, FieldProblem>;
