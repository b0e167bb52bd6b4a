import { type ArgumentMetadata, Body, Param, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z, type ZodType } from 'zod';
import { ValidationError } from '../errors/domain-error.js';

/** Parses a value with a zod schema, turning failures into VALIDATION_FAILED with per-field details. */
export function parseOrThrow<S extends ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(
      result.error.issues.slice(0, 20).map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  const invalid = pathToInvalidText(result.data);
  if (invalid !== null) {
    throw new ValidationError([
      { path: invalid || '(root)', message: 'must be valid text (no NUL, no unpaired UTF-16 surrogates)' },
    ]);
  }
  return result.data;
}

/** U+0000, or a UTF-16 surrogate without its other half (no `u` flag: it matches code units). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const INVALID_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text our storage cannot keep as given: PostgreSQL refuses U+0000 (the driver fails the whole query), and an unpaired
 * surrogate is not Unicode (UTF-8 encoding silently replaces it; the audit log's canonical JSON refuses it, losing the
 * entry). No field of ours needs either. Returns the path of the first string (or key) holding one, or null.
 * Iterative, so deeply nested input cannot overflow the stack.
 */
export function pathToInvalidText(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (INVALID_TEXT.test(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, path ? `${path}.${i}` : String(i)]));
    } else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        if (INVALID_TEXT.test(key)) return at;
        stack.push([item, at]);
      }
    }
  }
  return null;
}

export class ZodPipe<S extends ZodType> implements PipeTransform {
  constructor(private readonly schema: S) {}
  transform(value: unknown, _meta: ArgumentMetadata): z.output<S> {
    return parseOrThrow(this.schema, value);
  }
}

type JsonSchemaObject = Record<string, unknown>;

export function jsonSchemaOf(schema: ZodType, io: 'input' | 'output' = 'input'): JsonSchemaObject {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchemaObject;
}

/** `@ZodBody(schema)`: validates the request body and documents it in the OpenAPI document, from one schema. */
export function ZodBody(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) ApiBody({ schema: jsonSchemaOf(schema) })(target, key, descriptor);
    }
  };
}

/** `@ZodQuery(schema)`: validates the whole query object; each property is documented as a query parameter. */
export function ZodQuery(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    Query(new ZodPipe(schema))(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    const json = jsonSchemaOf(schema);
    const properties = (json.properties ?? {}) as Record<string, JsonSchemaObject>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    if (descriptor) {
      for (const [name, prop] of Object.entries(properties)) {
        ApiQuery({ name, required: required.has(name), schema: prop })(target, key, descriptor);
      }
    }
  };
}

/** `@UuidParam('id')`: a path parameter that must be a UUID (VALIDATION_FAILED otherwise). */
export function UuidParam(name: string): ParameterDecorator {
  return Param(name, new ZodPipe(z.uuid()));
}
