/**
 * A minimal XML well-formedness check for the SVG the demo writes (no XML parser is a
 * dependency): tokenises tags, checks that every element closes in order, that attributes are
 * quoted and unique, and that text holds no bare '<' or unknown entity. Returns the elements.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly depth: number;
}

export function parseXml(text: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: string[] = [];
  let i = 0;
  const src = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const checkText = (t: string) => {
    if (t.includes('<')) throw new Error(`bare "<" in text: ${t.slice(0, 40)}`);
    for (const m of t.matchAll(/&([^;\s]*);?/g)) {
      if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(m[1]!) || !m[0].endsWith(';')) throw new Error(`bad entity ${m[0]}`);
    }
  };
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      checkText(src.slice(i));
      break;
    }
    checkText(src.slice(i, lt));
    const gt = src.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const tag = src.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w:.-]*)(.*)$/s.exec(body);
    if (!m) throw new Error(`bad tag <${tag}>`);
    const attributes: Record<string, string> = {};
    let rest = m[2]!.trim();
    while (rest.length > 0) {
      const a = /^([A-Za-z_][\w:.-]*)="([^"<]*)"\s*/.exec(rest);
      if (!a) throw new Error(`bad attribute in <${m[1]}>: ${rest.slice(0, 40)}`);
      if (a[1]! in attributes) throw new Error(`duplicate attribute ${a[1]} in <${m[1]}>`);
      checkText(a[2]!);
      attributes[a[1]!] = a[2]!;
      rest = rest.slice(a[0].length);
    }
    elements.push({ name: m[1]!, attributes, depth: stack.length });
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (elements.filter((e) => e.depth === 0).length !== 1) throw new Error('not exactly one root element');
  return elements;
}
