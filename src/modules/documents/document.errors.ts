/** Errors of the closing documents, as the cabinet and the back office see them. */
import { defineErrors } from '../../platform/http/errors.js';

export const documentErrors = defineErrors({
  documentNotFound: { status: 404, ru: 'Документ не найден.', en: 'Document not found.' },
  noSpreadsheet: {
    status: 404,
    ru: 'У этого документа нет таблицы XLSX.',
    en: 'This document has no XLSX spreadsheet.',
  },
  notAwaitingDispatch: {
    status: 409,
    ru: 'Документ не ждёт отправки почтой.',
    en: 'The document is not awaiting postal dispatch.',
  },
});
