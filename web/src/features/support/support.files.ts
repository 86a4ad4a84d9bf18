// Files chosen in a form, read into base64 for the JSON body. The browser checks count and size early
// so a person is not kept waiting for an upload the server would refuse; the server checks everything
// again, including the type from the file's bytes.
import type { AttachmentUpload } from './support.types';

export const MAX_FILES = 5;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const ACCEPTED_FILES = '.png,.jpg,.jpeg,.pdf,.txt,image/png,image/jpeg,application/pdf,text/plain';

export type FileProblem = { kind: 'tooMany' } | { kind: 'tooLarge'; name: string } | null;

export function checkFiles(files: readonly File[]): FileProblem {
  if (files.length > MAX_FILES) return { kind: 'tooMany' };
  const large = files.find((file) => file.size > MAX_FILE_BYTES);
  return large ? { kind: 'tooLarge', name: large.name } : null;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  const chunk = 0x8000;
  for (let start = 0; start < bytes.length; start += chunk) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return btoa(binary);
}

export async function readUploads(files: readonly File[]): Promise<AttachmentUpload[]> {
  return Promise.all(
    files.map(async (file) => ({ fileName: file.name, contentBase64: toBase64(await file.arrayBuffer()) })),
  );
}

export function formatFileSize(bytes: number, language: 'ru' | 'en'): string {
  const unit = language === 'ru' ? { kb: 'КБ', mb: 'МБ' } : { kb: 'KB', mb: 'MB' };
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} ${unit.kb}`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} ${unit.mb}`;
}

/** The first server problem about the files, whichever file it names. */
export function fileFieldError(fields: Readonly<Record<string, string>>): string | undefined {
  const key = Object.keys(fields).find((name) => name === 'attachments' || name.startsWith('attachments.'));
  return key ? fields[key] : undefined;
}
