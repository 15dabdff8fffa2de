import { XMLParser } from 'fast-xml-parser';

/**
 * S3's XML answers (ListObjectsV2, multipart uploads) as plain objects. Every value stays a
 * string (a key named `007` is not the number 7); the elements that repeat are always arrays.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'Contents' || name === 'CommonPrefixes' || name === 'Upload',
});

/** Parse an XML body. */
export function parseXml(body: Buffer | string): Record<string, unknown> {
  return parser.parse(typeof body === 'string' ? body : body.toString('utf8')) as Record<string, unknown>;
}

/** `<`, `>`, `&`, quotes escaped, for text put into an XML request body. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
