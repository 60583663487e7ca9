import { Check, Errors } from 'typebox/value';
import { SettingsDocumentSchema } from './settings-schema.js';

/**
 * The prefix conf gives its own schema errors; the settings store recognises invalid content by it
 * (SETTINGS_CORRUPT on read, SETTINGS_VALUE_INVALID on write), whichever validator raised it.
 */
export const SCHEMA_VIOLATION_PREFIX = 'Config schema violation: ';

/**
 * Checks a settings document against its TypeBox schema and throws conf's kind of error, naming
 * each offending path. This replaces conf's `schema` option: conf compiles that schema with ajv in
 * every process that opens the settings (≈ 0.4 s of a read-only command's start, issue [perf]),
 * whereas TypeBox checks the same schema directly, without a compile step.
 */
export function assertSettingsDocument(value: unknown): void {
  if (Check(SettingsDocumentSchema, value)) return;
  const problems = [...Errors(SettingsDocumentSchema, value)]
    .slice(0, 10)
    .map((error) => `\`${error.instancePath.slice(1)}\` ${error.message}`);
  throw new Error(SCHEMA_VIOLATION_PREFIX + problems.join('; '));
}

/** conf's `deserialize` option: JSON, then the schema (conf checks nothing itself any more). */
export function parseSettingsText(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  assertSettingsDocument(value);
  return value as Record<string, unknown>;
}

/** conf's `serialize` option: the schema, then conf's own format (tab-indented JSON). */
export function serializeSettings(value: unknown): string {
  assertSettingsDocument(value);
  return JSON.stringify(value, undefined, '\t');
}
