import { createReadStream, statSync } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

/*
 * Streaming XML for the importers: the file is read in chunks, decoded with the encoding its XML
 * declaration names, and fed to a SAX parser (saxes, namespace-aware, which reports file:line:column
 * on malformed input). After each chunk the caller's `drain` runs (the records the chunk completed
 * are written then), so a file of any size is held a chunk and one record at a time.
 */

/**
 * How deep elements may nest. A WordPress export nests six levels (rss/channel/item/wp:comment/
 * wp:commentmeta/wp:meta_key) and a Disqus export four (disqus/post/author/name): their HTML is
 * text (CDATA or escaped), never elements. Past this a file is no export, and refusing it as the
 * limit is crossed bounds what nesting costs: saxes (with namespaces) walks the open elements for
 * every element it reads, and so do the importers' own stacks, so 100,000 nested elements (a 740 KB
 * file) took 95 s of CPU to read; with the limit, at most this many steps an element.
 */
export const MAX_XML_DEPTH = 100;

export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
}

/** A document nested deeper than MAX_XML_DEPTH: well-formed perhaps, but no export. */
export class XmlTooDeepError extends XmlSyntaxError {
  override name = 'XmlTooDeepError';
}

/** Handlers for the parser's events; text and CDATA both arrive as `text`. */
export interface XmlHandlers {
  open(tag: SaxesTagNS): void;
  close(tag: SaxesTagNS): void;
  text(text: string): void;
}

/** The encoding an XML document declares, from its first bytes (UTF-16 and UTF-8 byte-order marks win). */
export function declaredEncoding(head: Buffer): string {
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  const declaration = /^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.subarray(0, 512).toString('latin1'));
  return declaration?.[1]?.toLowerCase() ?? 'utf-8';
}

function decoderFor(encoding: string, file: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch {
    throw new XmlSyntaxError(`${file}:1:1: unsupported encoding "${encoding}"`);
  }
}

/**
 * Reads `file` through `handlers`, awaiting `drain` after every chunk. `progress` hears the bytes
 * read so far and the file's size. Malformed XML throws XmlSyntaxError("file:line:column: …"), and
 * an element nested deeper than MAX_XML_DEPTH XmlTooDeepError, as its start tag is read.
 */
export async function readXml(
  file: string,
  handlers: XmlHandlers,
  drain: () => Promise<void>,
  progress?: (bytes: number, total: number) => void,
): Promise<void> {
  const total = statSync(file).size;
  const name = file;
  const parser = new SaxesParser({ xmlns: true, position: true, fileName: name });
  let depth = 0;
  parser.on('opentag', (tag) => {
    // The position is saxes's: the end of the start tag (where it reports a malformed one).
    if (++depth > MAX_XML_DEPTH) {
      throw new XmlTooDeepError(
        `${name}:${parser.line}:${parser.column}: <${tag.name}> is nested ${depth} elements deep, past the limit of ${MAX_XML_DEPTH} (an export nests a handful).`,
      );
    }
    handlers.open(tag as SaxesTagNS);
  });
  parser.on('closetag', (tag) => {
    depth--;
    handlers.close(tag as SaxesTagNS);
  });
  parser.on('text', handlers.text);
  parser.on('cdata', handlers.text);
  parser.on('error', (error) => {
    throw new XmlSyntaxError(error.message);
  });
  // saxes wants the encoding's own text: the declaration's encoding attribute is for us.
  let decoder: TextDecoder | undefined;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    decoder ??= decoderFor(declaredEncoding(chunk), name);
    bytes += chunk.length;
    parser.write(decoder.decode(chunk, { stream: true }));
    await drain();
    progress?.(bytes, total);
  }
  parser.write((decoder ?? new TextDecoder()).decode());
  parser.close();
  await drain();
}
