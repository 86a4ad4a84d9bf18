/**
 * Attachments as they arrive (a file name and base64 content in the JSON body) and as they leave (the
 * download headers). Pure functions: the type is decided from the bytes themselves, never from the name
 * or the content type the client claims, and only PNG, JPEG, PDF and plain UTF-8 text pass.
 */
import { createHash } from 'node:crypto';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { supportProblems } from './support.errors.js';
import type { AttachmentType } from './support.tables.js';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_POST = 5;
/** Base64 of the largest file, rounded up, plus room so an oversized file gets its own message. */
export const MAX_ATTACHMENT_BASE64_LENGTH = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 4096;
/** The JSON body of a post with the most and largest files, plus the text. */
export const MAX_POST_BODY_BYTES = (MAX_ATTACHMENTS_PER_POST + 1) * MAX_ATTACHMENT_BASE64_LENGTH;

export interface AttachmentInput {
  readonly fileName: string;
  readonly contentBase64: string;
}

export interface DecodedAttachment {
  readonly fileName: string;
  readonly contentType: AttachmentType;
  readonly content: Buffer;
  readonly sha256: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
const PDF_SIGNATURE = Buffer.from('%PDF-', 'ascii');
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
/** Control characters other than tab, line feed, form feed and carriage return: binary, not text. */
// eslint-disable-next-line no-control-regex
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

function isUtf8Text(bytes: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !BINARY_CONTROL.test(text);
  } catch {
    return false;
  }
}

/** The file's type from its first bytes (its magic number); null for anything not accepted. */
export function detectAttachmentType(bytes: Buffer): AttachmentType | null {
  const startsWith = (signature: Buffer) =>
    bytes.length >= signature.length && bytes.subarray(0, signature.length).equals(signature);
  if (startsWith(PNG_SIGNATURE)) return 'image/png';
  if (startsWith(JPEG_SIGNATURE)) return 'image/jpeg';
  if (startsWith(PDF_SIGNATURE)) return 'application/pdf';
  if (isUtf8Text(bytes)) return 'text/plain';
  return null;
}

/**
 * The name a download will carry: no directories, no control characters, no quotes or backslashes
 * (they would break the Content-Disposition header); null when nothing is left or it is too long.
 */
export function cleanFileName(name: string): string | null {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '_').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..' || cleaned.length > 200) return null;
  return cleaned;
}

function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !BASE64_PATTERN.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function decodeOne(input: AttachmentInput): DecodedAttachment | FieldProblem {
  const fileName = cleanFileName(input.fileName);
  if (fileName === null) return supportProblems.fileNameInvalid;
  const values = { name: fileName, maxMb: MAX_ATTACHMENT_BYTES / (1024 * 1024) };
  const content = decodeBase64(input.contentBase64);
  if (content === null) return { ...supportProblems.fileNotBase64, values };
  if (content.length === 0) return { ...supportProblems.fileEmpty, values };
  if (content.length > MAX_ATTACHMENT_BYTES) return { ...supportProblems.fileTooLarge, values };
  const contentType = detectAttachmentType(content);
  if (contentType === null) return { ...supportProblems.fileTypeNotAllowed, values };
  return { fileName, contentType, content, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * Decodes and checks every file of a post. Any problem refuses the whole post (field `attachments` for
 * the count, `attachments.<n>` for a file), so nothing is stored.
 */
export function decodeAttachments(inputs: readonly AttachmentInput[]): DecodedAttachment[] {
  if (inputs.length > MAX_ATTACHMENTS_PER_POST) {
    throw validationError({
      attachments: { ...supportProblems.tooManyFiles, values: { max: MAX_ATTACHMENTS_PER_POST } },
    });
  }
  const problems: Record<string, FieldProblem> = {};
  const decoded: DecodedAttachment[] = [];
  inputs.forEach((input, index) => {
    const result = decodeOne(input);
    if ('code' in result) problems[`attachments.${index}`] = result;
    else decoded.push(result);
  });
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return decoded;
}

/** RFC 5987 percent-encoding: encodeURIComponent leaves ' ( ) * as they are, which the header forbids. */
function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Headers of a download: always saved, never shown inline, and never sniffed into something else, so a
 * file a merchant uploaded cannot run as a page of Kopek's origin.
 */
export function downloadHeaders(file: {
  fileName: string;
  contentType: AttachmentType;
  sizeBytes: number;
}): Record<string, string> {
  const asciiName = file.fileName.replace(/[^\u0020-\u007e]/g, '_').replace(/[\\"]/g, '_');
  return {
    'content-type': file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType,
    'content-length': String(file.sizeBytes),
    'content-disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeRfc5987(file.fileName)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, no-store',
  };
}
