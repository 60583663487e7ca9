import { missingPermissionFor } from '../../../common/auth/permission-needs.js';
import { shapeHint } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';

/**
 * An error as the catalogue describes it: what happened, its stable code, and what to do; for a
 * refusal, the permission that is missing, named as BDC's screens name it.
 */
export function ErrorNotice(props: { error: ErrorShape; title?: string }) {
  const { error } = props;
  const missing = missingPermissionFor(error.code, error.data);
  // A refused OAuth request is the Application Link's permission alone; no token is involved.
  const linkOnly = error.code === 'OAUTH_SCOPE_REJECTED';
  // The GUI's wording: never a flag or a command (common/errors/hint-surface.ts).
  const hint = shapeHint(error, 'gui');
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">
        {props.title ? `${props.title}: ` : ''}
        {error.message} <code className="code-tag">{error.code}</code>
      </p>
      {missing && linkOnly ? (
        <p className="notice-missing">
          Missing permission: <strong>{missing.applicationLink}</strong> on the Application Link,
          needed to {missing.feature}.
        </p>
      ) : missing ? (
        <p className="notice-missing">
          Missing permission: <strong>{missing.token}</strong> on the token (or{' '}
          <strong>{missing.applicationLink}</strong> on the Application Link for OAuth), needed to{' '}
          {missing.feature}.
        </p>
      ) : null}
      {hint ? <p className="notice-hint">Fix: {hint}</p> : null}
    </div>
  );
}
