/** `Content-Disposition` parsing, for file downloads. */

/** A parsed `Content-Disposition` header. */
export interface ContentDisposition {
  /** `inline` or `attachment` (lower case). */
  type: string;
  /** The file name: `filename*` (RFC 5987/8187, UTF-8) when present, else `filename`. */
  filename: string | undefined;
}

/** Parses a `Content-Disposition` header; `undefined` for none. */
export function parseContentDisposition(header: string | null | undefined): ContentDisposition | undefined {
  if (!header) return undefined;
  const s = header;
  let i = s.indexOf(";");
  const type = (i === -1 ? s : s.slice(0, i)).trim().toLowerCase();
  const params = new Map<string, string>();
  while (i !== -1 && i < s.length) {
    i++; // past ';'
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
    const eq = s.indexOf("=", i);
    if (eq === -1) break;
    const name = s.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
    let value = "";
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      i = s.indexOf(";", i);
    } else {
      const end = s.indexOf(";", i);
      value = (end === -1 ? s.slice(i) : s.slice(i, end)).trim();
      i = end;
    }
    if (name && !params.has(name)) params.set(name, value);
  }
  const extended = params.get("filename*");
  let filename: string | undefined;
  if (extended !== undefined) filename = decodeExtValue(extended);
  if (filename === undefined) filename = params.get("filename");
  return { type, filename };
}

/** Decodes an RFC 8187 ext-value: `charset'lang'pct-encoded`. */
function decodeExtValue(v: string): string | undefined {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (!m) return undefined;
  const charset = (m[1] ?? "").toLowerCase();
  const encoded = m[2] ?? "";
  try {
    if (charset === "utf-8" || charset === "") return decodeURIComponent(encoded);
    if (charset === "iso-8859-1" || charset === "latin1") {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  } catch {
    return undefined;
  }
  return undefined;
}
