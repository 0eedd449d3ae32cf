/**
 * The offset of the first byte that does not belong to well-formed UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included), or -1 when all of `bytes` is
 * well-formed. `final` false allows a sequence cut at the end (more bytes may follow).
 */
export function invalidUtf8Offset(bytes: Uint8Array, final = true): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    // The second byte's range excludes overlong forms, surrogates and values past U+10FFFF.
    if (b === 0xe0) min = 0xa0;
    else if (b === 0xf0) min = 0x90;
    else min = 0x80;
    if (b === 0xed) max = 0x9f;
    else if (b === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = bytes[i + k];
      if (k === 1 ? c < min || c > max : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
