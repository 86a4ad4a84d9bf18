/**
 * The QR code of a payment link, drawn on the server as SVG (the `qrcode` package): sharp at any size
 * when printed, small to send, and shown by the cabinet as a plain image.
 */
import QRCode from 'qrcode';

export async function renderInvoiceQrSvg(url: string): Promise<string> {
  // Level M survives a crease or a smudge on a printed sheet and keeps the code small enough to scan fast.
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
