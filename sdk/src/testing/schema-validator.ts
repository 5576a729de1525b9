/**
 * A validator for the part of JSON Schema that Hookport's OpenAPI document
 * uses (type, enum, properties, required, additionalProperties, items,
 * min/max length, items and value, pattern, the date-time and uri formats,
 * allOf, local $ref). Small, dependency-free and without code generation, so
 * the test kit runs in any browser test runner. It reports failures the way
 * the server does: one field error per failing value, at its dotted path,
 * with zod's issue codes.
 */

export interface Issue {
  path: string;
  message: string;
  code: string;
}

export type Schema = { [keyword: string]: unknown };

export interface ValidateOptions {
  /** What an unknown property's error says (the server's words differ for a body and a query). */
  unknownKey?: string;
}

export class SchemaValidator {
  readonly #root: Schema;

  constructor(root: Schema) {
    this.#root = root;
  }

  /** `#/components/schemas/Endpoint` → that schema. */
  resolve(ref: string): Schema {
    let here: unknown = this.#root;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      here = (here as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (typeof here !== 'object' || here === null) throw new Error(`The document has no ${ref}.`);
    return here as Schema;
  }

  validate(schema: Schema, value: unknown, options: ValidateOptions = {}): Issue[] {
    const issues: Issue[] = [];
    this.#check(schema, value, [], issues, options.unknownKey ?? 'is not a known field');
    return issues;
  }

  #check(schema: Schema, value: unknown, path: string[], out: Issue[], unknownKey: string): void {
    const at = path.join('.');
    if (typeof schema.$ref === 'string') {
      this.#check(this.resolve(schema.$ref), value, path, out, unknownKey);
    }
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf as Schema[]) this.#check(part, value, path, out, unknownKey);
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((type) => isType(value, type))) {
        out.push({
          path: at,
          message: `Invalid input: expected ${types.join(' or ')}, received ${kindOf(value)}`,
          code: 'invalid_type',
        });
        return;
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      out.push({
        path: at,
        message: `Invalid option: expected one of ${schema.enum.map((v) => JSON.stringify(v)).join('|')}`,
        code: 'invalid_value',
      });
      return;
    }
    if (typeof value === 'string') checkString(schema, value, at, out);
    else if (typeof value === 'number') checkNumber(schema, value, at, out);
    else if (Array.isArray(value)) this.#checkArray(schema, value, path, out, unknownKey);
    else if (typeof value === 'object' && value !== null) {
      this.#checkObject(schema, value as Record<string, unknown>, path, out, unknownKey);
    }
  }

  #checkArray(schema: Schema, value: unknown[], path: string[], out: Issue[], unknownKey: string): void {
    const at = path.join('.');
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      out.push({
        path: at,
        message: `Too small: expected array to have >=${schema.minItems} items`,
        code: 'too_small',
      });
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      out.push({ path: at, message: `Too big: expected array to have <=${schema.maxItems} items`, code: 'too_big' });
    }
    if (isSchema(schema.items)) {
      const items = schema.items;
      value.forEach((item, i) => {
        this.#check(items, item, [...path, String(i)], out, unknownKey);
      });
    }
  }

  #checkObject(schema: Schema, value: Record<string, unknown>, path: string[], out: Issue[], unknownKey: string): void {
    const properties = isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    for (const name of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
      if (!Object.hasOwn(value, name)) {
        const type = properties[name]?.type;
        out.push({
          path: [...path, name].join('.'),
          message: `Invalid input: expected ${typeof type === 'string' ? type : 'value'}, received undefined`,
          code: 'invalid_type',
        });
      }
    }
    for (const [name, item] of Object.entries(value)) {
      const own = properties[name];
      if (own) this.#check(own, item, [...path, name], out, unknownKey);
      else if (schema.additionalProperties === false) {
        out.push({ path: [...path, name].join('.'), message: unknownKey, code: 'unrecognized_keys' });
      } else if (isSchema(schema.additionalProperties)) {
        this.#check(schema.additionalProperties, item, [...path, name], out, unknownKey);
      }
    }
  }
}

function checkString(schema: Schema, value: string, at: string, out: Issue[]): void {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    out.push({
      path: at,
      message: `Too small: expected string to have >=${schema.minLength} characters`,
      code: 'too_small',
    });
  }
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    out.push({
      path: at,
      message: `Too big: expected string to have <=${schema.maxLength} characters`,
      code: 'too_big',
    });
  }
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
    out.push({ path: at, message: `Invalid string: must match pattern ${schema.pattern}`, code: 'invalid_format' });
  }
  if (schema.format === 'date-time' && !isDateTime(value)) {
    out.push({ path: at, message: 'Invalid ISO datetime', code: 'invalid_format' });
  }
  if (schema.format === 'uri' && !isUri(value)) {
    out.push({ path: at, message: 'Invalid URL', code: 'invalid_format' });
  }
}

function checkNumber(schema: Schema, value: number, at: string, out: Issue[]): void {
  if (typeof schema.minimum === 'number' && value < schema.minimum) {
    out.push({ path: at, message: `Too small: expected number to be >=${schema.minimum}`, code: 'too_small' });
  }
  if (typeof schema.maximum === 'number' && value > schema.maximum) {
    out.push({ path: at, message: `Too big: expected number to be <=${schema.maximum}`, code: 'too_big' });
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isSchema(value);
    default:
      return typeof value === type;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** ISO 8601 with a time and a zone, as the server's schemas accept and every answer carries. */
function isDateTime(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
