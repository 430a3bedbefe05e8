/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: prom-client writes the format but has no
 * parser. Every line must be a HELP, a TYPE or a sample as the format defines them; a family's TYPE comes before
 * its samples and once; histogram samples are `_bucket` (with `le`), `_sum` and `_count` of a histogram family.
 * Throws on the first line that breaks a rule, naming it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name → its TYPE. */
  types: Map<string, string>;
  help: Map<string, string>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // Prometheus reads values with Go's ParseFloat, which takes NaN in any case; prom-client writes "Nan".
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`not a sample value: ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return Number(text);
}

/** `{a="x",b="y\"z"}` from its opening brace; returns the labels and where the closing brace ends. */
function parseLabels(text: string, start: number, line: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const fail = (why: string): never => {
    throw new Error(`${why} at column ${i} of ${JSON.stringify(line)}`);
  };
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    if (eq < 0) fail('label without "="');
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(`bad label name ${JSON.stringify(name)}`);
    if (name in labels) fail(`label ${name} twice`);
    if (text[eq + 1] !== '"') fail('label value not quoted');
    let value = '';
    i = eq + 2;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else fail('bad escape in label value');
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    labels[name] = value;
    i += 1;
    if (text[i] === ',') i += 1;
    else if (text[i] !== '}') fail('expected "," or "}" after a label');
  }
  return { labels, end: i + 1 };
}

/** The family a sample belongs to: a histogram's or summary's suffixes name the family's own samples. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

export function parsePrometheusText(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), help: new Map() };
  const seenSamplesOf = new Set<string>();
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!comment) continue; // Other comments are allowed and ignored.
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`unknown TYPE in ${JSON.stringify(line)}`);
        if (exposition.types.has(name)) throw new Error(`TYPE of ${name} given twice`);
        if (seenSamplesOf.has(name)) throw new Error(`TYPE of ${name} after its samples`);
        exposition.types.set(name, rest);
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`bad escape in HELP: ${JSON.stringify(line)}`);
        exposition.help.set(name, rest);
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') ({ labels, end: rest } = parseLabels(line, nameEnd, line));
    if (line[rest] !== ' ') throw new Error(`expected a space before the value in ${JSON.stringify(line)}`);
    const fields = line.slice(rest + 1).split(' ');
    if (fields.length > 2 || (fields.length === 2 && !/^-?\d+$/.test(fields[1]!))) throw new Error(`bad value or timestamp in ${JSON.stringify(line)}`);
    const value = parseValue(fields[0]!, line);
    const family = familyOf(name, exposition.types);
    if (!exposition.types.has(family)) throw new Error(`sample of ${family} before (or without) its TYPE`);
    if (exposition.types.get(family) === 'histogram' && name.endsWith('_bucket') && labels['le'] === undefined) throw new Error(`histogram bucket without le: ${JSON.stringify(line)}`);
    seenSamplesOf.add(family);
    exposition.samples.push({ name, labels, value });
  }
  return exposition;
}

/**
 * The sum of the samples named `name` whose labels include `match` (0 when none): a counter's value over the
 * series a test cares about.
 */
export function sampleSum(exposition: Exposition, name: string, match: Record<string, string> = {}): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
