export { registerDocumentBackofficeRoutes, registerDocumentRoutes } from './document.routes.js';
export {
  DOCUMENT_GENERATE_QUEUE,
  MONTHLY_DOCUMENTS_INTERVAL_MS,
  createDocumentGenerateHandler,
  generateDocumentSet,
  listDocuments,
  readDocumentFile,
  recordDispatch,
  requestDocuments,
  runMonthlyDocuments,
  type DocumentSummary,
} from './document.service.js';
export {
  monthOf,
  previousMonth,
  readPeriodFigures,
  type DocumentPeriod,
  type PeriodFigures,
} from './document.figures.js';
export { documentSettingsFromEnv, type DocumentSettings } from './document.parties.js';
export { rublesInWords, formatRubles } from './document.words.js';
