import type { S3ErrorContext } from './errors.js';
import type { S3Http } from './s3-http.js';
import { parseXml } from './xml.js';

/** One object of a listing. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** One page of ListObjectsV2: objects and (with a delimiter) the common prefixes ("directories"). */
export interface ListPage {
  readonly objects: ListedObject[];
  readonly prefixes: string[];
}

/**
 * Every page of ListObjectsV2 under `prefix` (following continuation tokens), with `/` as the
 * delimiter when `delimited`. Keys come URL-encoded (`encoding-type=url`, so any key survives
 * XML) and are decoded here.
 */
export async function* listPages(
  http: S3Http,
  prefix: string,
  delimited: boolean,
  context: S3ErrorContext,
  maxKeys = http.options.listPageSize,
): AsyncGenerator<ListPage> {
  let token: string | null = null;
  for (;;) {
    const query: Record<string, string> = { 'list-type': '2', 'encoding-type': 'url', 'max-keys': String(maxKeys), prefix };
    if (delimited) query.delimiter = '/';
    if (token !== null) query['continuation-token'] = token;
    const response = await http.call({ method: 'GET', key: null, query, context }, true);
    const result = (parseXml(response.body).ListBucketResult ?? {}) as Record<string, unknown>;
    const contents = (result.Contents ?? []) as Array<Record<string, unknown>>;
    const common = (result.CommonPrefixes ?? []) as Array<Record<string, unknown>>;
    yield {
      objects: contents.map((c) => ({ key: decode(String(c.Key)), size: Number(c.Size ?? 0) })),
      prefixes: common.map((c) => decode(String(c.Prefix))),
    };
    const next = result.NextContinuationToken;
    if (result.IsTruncated !== 'true' || typeof next !== 'string') return;
    token = next;
  }
}

/** A key as `encoding-type=url` gives it (form encoding: `+` is a space). */
function decode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Whether anything is stored under `prefix` (one key is enough). */
export async function anyUnder(http: S3Http, prefix: string, context: S3ErrorContext): Promise<boolean> {
  for await (const page of listPages(http, prefix, true, context, 1)) return page.objects.length > 0 || page.prefixes.length > 0;
  return false;
}
