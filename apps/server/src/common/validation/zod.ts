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
  return result.data;
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
