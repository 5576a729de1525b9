import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

/**
 * Validates real responses against the committed OpenAPI document with Ajv
 * (JSON Schema 2020-12, the dialect of OpenAPI 3.1): an independent check of
 * what the Zod schemas produced, not the Zod schemas checking themselves.
 */
// ajv-formats is CommonJS: under ESM its plugin is the `default` property of the module object.
const addFormats = formatsModule.default;

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

export class ContractError extends Error {
  override name = 'ContractError';
}

export class ContractValidator {
  readonly #doc: OpenApiDoc;
  readonly #ajv: Ajv2020;
  readonly #id: string;
  readonly #cache = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; regex: RegExp }[];

  constructor(doc: object, id: string) {
    this.#doc = doc as OpenApiDoc;
    this.#id = id;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    this.#ajv.addSchema(doc, id);
    // Literal paths before templated ones, so /v1/endpoints/events beats /v1/endpoints/{id}.
    this.#templates = Object.keys(this.#doc.paths)
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((template) => ({
        template,
        regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      }));
  }

  static fromFile(path: string | URL, id: string): ContractValidator {
    const file = typeof path === 'string' ? path : fileURLToPath(path);
    return new ContractValidator(JSON.parse(readFileSync(file, 'utf8')), id);
  }

  /** The documented path template a concrete path belongs to, if any. */
  templateOf(path: string): string | undefined {
    return this.#templates.find((t) => t.regex.test(path))?.template;
  }

  /**
   * Throws a ContractError when the response is not one the document allows:
   * an undocumented route, status or media type, or a body outside its schema.
   */
  check(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
    const pathOnly = path.split('?')[0] ?? path;
    const template = this.templateOf(pathOnly);
    const where = `${method.toUpperCase()} ${pathOnly} → ${status}`;
    if (!template) throw new ContractError(`${where}: the path is not in the document`);
    const op = this.#doc.paths[template]?.[method.toLowerCase()];
    if (!op) {
      // 405 and 404 from the router itself are service-wide answers, not operations.
      if (status === 405 || status === 404) return;
      throw new ContractError(`${where}: the method is not in the document`);
    }
    const response = op.responses?.[String(status)];
    if (!response) throw new ContractError(`${where}: status ${status} is not documented`);
    if (!response.content) {
      if (body !== undefined && body !== '') throw new ContractError(`${where}: a body where none is documented`);
      return;
    }
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!(mediaType in response.content)) {
      throw new ContractError(`${where}: media type "${mediaType}" is not documented`);
    }
    const pointer = [
      'paths',
      template,
      method.toLowerCase(),
      'responses',
      String(status),
      'content',
      mediaType,
      'schema',
    ]
      .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const ref = `${this.#id}#/${pointer}`;
    let validate = this.#cache.get(ref);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: ref });
      this.#cache.set(ref, validate);
    }
    if (!validate(body)) {
      throw new ContractError(`${where}: body does not match the schema: ${this.#ajv.errorsText(validate.errors)}`);
    }
  }
}
