import { type ScimPatchRequest, scimPatchRequestSchema } from '@miyu/protocol';
import { ScimError } from './scim-errors.js';

/** A PatchOp body: its `schemas` must name PatchOp and `Operations` must be a non-empty list (else invalidSyntax). */
export function patchRequest(body: unknown): ScimPatchRequest {
  const parsed = scimPatchRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw ScimError.invalidSyntax(
      `Not a PatchOp request: ${issue.path.map(String).join('.') || 'body'}: ${issue.message}`,
    );
  }
  return parsed.data;
}
