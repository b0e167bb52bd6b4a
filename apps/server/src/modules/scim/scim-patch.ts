import type { ScimPatchRequest } from '@miyu/protocol';
import { ScimError } from './scim-errors.js';
import { type EqualityFilter, parseEqualityFilter } from './scim-filter.js';
import {
  isObject,
  type ResourceDefs,
  resolveAttribute,
  type ScimAttribute,
  schemaOf,
  subAttribute,
} from './scim-schemas.js';

type Json = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

/** A parsed PATCH path: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, optionally schema-qualified. */
interface Target {
  schema: string;
  /** null: the whole extension object (`path` is the extension's URN). */
  attribute: ScimAttribute | null;
  ignored: boolean;
  filter?: EqualityFilter;
  sub?: ScimAttribute;
}

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a resource's JSON and returns the new JSON; the caller validates and
 * stores it like a PUT, so a PATCH that fails anywhere changes nothing. Accepts what Okta and Entra send: ops in any
 * case (`Replace`), operations without a path whose value is an object of attributes, schema-qualified paths
 * (`urn:…:enterprise:2.0:User:manager`), `emails[type eq "work"].value` (creating the element if none matches) and
 * `members[value eq "…"]`, and Entra's `remove` of `members` with a value listing the members to remove.
 */
export function applyPatch(defs: ResourceDefs, resource: Json, request: ScimPatchRequest): Json {
  const doc = structuredClone(resource);
  for (const [index, operation] of request.Operations.entries()) {
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw ScimError.invalidSyntax(`Operations[${index}]: op must be add, replace or remove (got "${operation.op}").`);
    const hasValue = 'value' in operation && operation.value !== undefined;
    if (op !== 'remove' && !hasValue) throw ScimError.invalidValue(`Operations[${index}]: ${op} needs a value.`);
    if (operation.path === undefined || operation.path.trim() === '') {
      if (op === 'remove') throw ScimError.noTarget(`Operations[${index}]: remove needs a path.`);
      if (!isObject(operation.value))
        throw ScimError.invalidValue(
          `Operations[${index}]: without a path, the value must be an object of attributes.`,
        );
      applyObject(defs, doc, op, defs.core, operation.value, true);
      continue;
    }
    applyParsed(defs, doc, op, parsePath(defs, operation.path), operation.value, hasValue);
  }
  return doc;
}

/** `{op, value: {attr: v, "urn:…": {…}}}`: each attribute as if it were the path. Read-only keys are skipped. */
function applyObject(defs: ResourceDefs, doc: Json, op: Op, schema: string, value: Json, top: boolean): void {
  for (const [key, v] of Object.entries(value)) {
    const extension = top ? schemaOf(defs, key) : null;
    if (extension && extension !== defs.core) {
      if (!isObject(v)) throw ScimError.invalidValue(`The value of ${extension} must be an object.`);
      applyObject(defs, doc, op, extension, v, false);
      continue;
    }
    if (top && key.toLowerCase().startsWith('urn:')) {
      applyParsed(defs, doc, op, parsePath(defs, key), v, true);
      continue;
    }
    const found = resolveAttribute(defs, schema, key);
    if (!found) throw ScimError.invalidPath(`"${key}" is not an attribute of ${schema}.`);
    if (found.kind === 'ignored' || found.attribute.mutability === 'readOnly') continue;
    applyTarget(doc, op, { schema, attribute: found.attribute, ignored: false }, v, true);
  }
}

function applyParsed(defs: ResourceDefs, doc: Json, op: Op, target: Target, value: unknown, hasValue: boolean): void {
  if (target.ignored) return;
  if (target.attribute) return applyTarget(doc, op, target, value, hasValue);
  // The whole extension (`path` is its URN): remove clears it, add/replace set the attributes given.
  if (op === 'remove') {
    delete doc[target.schema];
    return;
  }
  if (!isObject(value)) throw ScimError.invalidValue(`The value of ${target.schema} must be an object.`);
  applyObject(defs, doc, op, target.schema, value, false);
}

export function parsePath(defs: ResourceDefs, path: string): Target {
  let schema = defs.core;
  let rest = path.trim();
  if (rest.toLowerCase().startsWith('urn:')) {
    const lower = rest.toLowerCase();
    const urn = Object.keys(defs.schemas)
      .filter((s) => lower === s.toLowerCase() || lower.startsWith(`${s.toLowerCase()}:`))
      .sort((a, b) => b.length - a.length)[0];
    if (!urn) throw ScimError.invalidPath(`"${path}" names no schema of this resource.`);
    schema = urn;
    if (rest.length === urn.length) {
      if (urn === defs.core) throw ScimError.invalidPath(`"${path}" needs an attribute.`);
      return { schema, attribute: null, ignored: false };
    }
    rest = rest.slice(urn.length + 1);
  }
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!match) throw ScimError.invalidPath(`"${path}" is not a valid attribute path.`);
  const [, name, filterText, subName] = match as unknown as [string, string, string | undefined, string | undefined];
  const found = resolveAttribute(defs, schema, name);
  if (!found) throw ScimError.invalidPath(`"${name}" is not an attribute of ${schema}.`);
  if (found.kind === 'ignored') return { schema, attribute: null, ignored: true };
  const attribute = found.attribute;
  if (attribute.mutability === 'readOnly') throw ScimError.mutability(`"${attribute.name}" is read-only.`);
  const target: Target = { schema, attribute, ignored: false };
  if (filterText !== undefined) {
    if (!attribute.multiValued) throw ScimError.invalidPath(`"${attribute.name}" is not multi-valued: no [filter].`);
    const filter = parseEqualityFilter(filterText);
    if (!subAttribute(attribute, filter.attribute))
      throw ScimError.invalidFilter(`"${filter.attribute}" is not a sub-attribute of ${attribute.name}.`);
    target.filter = { ...filter, attribute: subAttribute(attribute, filter.attribute)!.name };
  }
  if (subName !== undefined) {
    const sub = subAttribute(attribute, subName);
    if (!sub) throw ScimError.invalidPath(`"${subName}" is not a sub-attribute of ${attribute.name}.`);
    if (sub.mutability === 'readOnly') throw ScimError.mutability(`"${attribute.name}.${sub.name}" is read-only.`);
    target.sub = sub;
  }
  return target;
}

function containerOf(doc: Json, schema: string, core: boolean): Json {
  if (core) return doc;
  const existing = doc[schema];
  if (isObject(existing)) return existing;
  const created: Json = {};
  doc[schema] = created;
  return created;
}

function applyTarget(doc: Json, op: Op, target: Target, value: unknown, hasValue: boolean): void {
  const isCore = !target.schema.includes(':extension:');
  const container = containerOf(doc, target.schema, isCore);
  const attribute = target.attribute!;
  const key = attribute.name;
  if (attribute.multiValued) return applyMulti(container, key, op, target, value, hasValue);
  if (target.sub) {
    if (attribute.type !== 'complex') throw ScimError.invalidPath(`"${key}" has no sub-attributes.`);
    const current = isObject(container[key]) ? (container[key] as Json) : {};
    if (op === 'remove') delete current[target.sub.name];
    else current[target.sub.name] = value;
    container[key] = current;
    return;
  }
  if (op === 'remove') {
    delete container[key];
    return;
  }
  if (attribute.type === 'complex') {
    // Entra sends the manager as a bare id; a complex value merges into the current one (RFC 7644 §3.5.2.3).
    const incoming = typeof value === 'string' ? { value } : value;
    if (incoming === null) {
      delete container[key];
      return;
    }
    if (!isObject(incoming)) throw ScimError.invalidValue(`The value of ${key} must be an object.`);
    const current = isObject(container[key]) ? (container[key] as Json) : {};
    container[key] = { ...current, ...incoming };
    return;
  }
  container[key] = value;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'string' && typeof b === 'boolean') return a.toLowerCase() === String(b);
  if (typeof b === 'string' && typeof a === 'boolean') return b.toLowerCase() === String(a);
  return a === b;
}

function applyMulti(container: Json, key: string, op: Op, target: Target, value: unknown, hasValue: boolean): void {
  const current = Array.isArray(container[key]) ? (container[key] as unknown[]).filter(isObject) : [];
  const { filter, sub } = target;
  if (filter) {
    const matches = current.filter((item) => sameValue(item[filter.attribute], filter.value));
    if (op === 'remove') {
      container[key] = sub
        ? current.map((item) => {
            if (matches.includes(item)) delete item[sub.name];
            return item;
          })
        : current.filter((item) => !matches.includes(item));
      return;
    }
    if (matches.length === 0) {
      // Entra adds `emails[type eq "work"].value` for a person who has no work email yet.
      const created: Json = { [filter.attribute]: filter.value };
      current.push(created);
      matches.push(created);
    }
    for (const item of matches) {
      if (sub) item[sub.name] = value;
      else if (isObject(value)) Object.assign(item, value);
      else throw ScimError.invalidValue(`The value for ${key}[…] must be an object.`);
    }
    container[key] = current;
    return;
  }
  if (sub) {
    // `emails.value`: every element's sub-attribute (RFC 7644 §3.5.2.3), creating one element if there is none.
    if (op === 'remove') {
      for (const item of current) delete item[sub.name];
    } else if (current.length === 0) current.push({ [sub.name]: value });
    else for (const item of current) item[sub.name] = value;
    container[key] = current;
    return;
  }
  if (op === 'remove') {
    if (!hasValue) {
      delete container[key];
      return;
    }
    // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}.
    const gone = asItems(key, value).map((item) => item.value);
    container[key] = current.filter((item) => !gone.some((g) => sameValue(item.value, g)));
    return;
  }
  const items = asItems(key, value);
  if (op === 'replace') {
    container[key] = items;
    return;
  }
  const merged = [...current];
  for (const item of items) {
    const same = item.value !== undefined ? merged.findIndex((m) => sameValue(m.value, item.value)) : -1;
    if (same >= 0) merged[same] = { ...merged[same], ...item, value: merged[same]!.value };
    else merged.push(item);
  }
  if (items.some((i) => i.primary === true || i.primary === 'True' || i.primary === 'true'))
    for (const m of merged) if (!items.includes(m)) delete m.primary;
  container[key] = merged;
}

function asItems(key: string, value: unknown): Json[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isObject)) throw ScimError.invalidValue(`The value of ${key} must be objects (or a list of them).`);
  return list.map((item) => ({ ...item }));
}
