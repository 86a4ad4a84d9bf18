/** The attachment rules as pure functions: type by magic bytes, file names, download headers. */
import { describe, expect, it } from 'vitest';
import {
  cleanFileName,
  decodeAttachments,
  detectAttachmentType,
  downloadHeaders,
} from '../../src/modules/support/support.attachments.js';
import { AppError } from '../../src/platform/http/errors.js';
import { EXE_BYTES, file, PDF_BYTES, PNG_BYTES } from './support-desk-helpers.js';

describe('detectAttachmentType', () => {
  it('knows PNG, JPEG, PDF and UTF-8 text by their bytes', () => {
    expect(detectAttachmentType(PNG_BYTES)).toBe('image/png');
    expect(detectAttachmentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(detectAttachmentType(PDF_BYTES)).toBe('application/pdf');
    expect(detectAttachmentType(Buffer.from('Привет,\tмир\r\n'))).toBe('text/plain');
  });

  it('refuses executables, binary data, invalid UTF-8 and text with a NUL', () => {
    expect(detectAttachmentType(EXE_BYTES)).toBeNull();
    expect(detectAttachmentType(Buffer.from([0xc3, 0x28]))).toBeNull();
    expect(detectAttachmentType(Buffer.from('text\u0000more'))).toBeNull();
    expect(detectAttachmentType(Buffer.from([0x89, 0x50, 0x4e]))).toBeNull();
  });
});

describe('file names and headers', () => {
  it('drops directories, control characters and quotes', () => {
    expect(cleanFileName('C:\\Users\\me\\отчёт.pdf')).toBe('отчёт.pdf');
    expect(cleanFileName('a\r\nb".txt')).toBe('a__b_.txt');
    expect(cleanFileName('../..')).toBeNull();
    expect(cleanFileName('x'.repeat(201))).toBeNull();
  });

  it('always downloads, never sniffs, and encodes a Cyrillic name for the header', () => {
    const headers = downloadHeaders({
      fileName: "отчёт (1)'.pdf",
      contentType: 'application/pdf',
      sizeBytes: 10,
    });
    expect(headers['content-disposition']).toBe(
      `attachment; filename="_____ (1)'.pdf"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%281%29%27.pdf`,
    );
    expect(headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('decodeAttachments', () => {
  it('names every bad file in its own field and returns good ones with their hash', () => {
    const [good] = decodeAttachments([file('a.png', PNG_BYTES)]);
    expect(good?.sha256).toMatch(/^[0-9a-f]{64}$/);
    try {
      decodeAttachments([file('a.png', PNG_BYTES), file('b.exe', EXE_BYTES), file('', PDF_BYTES)]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(Object.keys((error as AppError).fields)).toEqual(['attachments.1', 'attachments.2']);
    }
  });
});
