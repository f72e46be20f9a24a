import { randomBytes } from "node:crypto";

/** A one-time token for one rendering of a form (unguessable; 24 base64url characters). */
export function newFormToken(): string {
  return randomBytes(18).toString("base64url");
}
