import type { ErrorShape } from '../../../common/errors/error-shape.js';

/** An error as the catalogue describes it: what happened, its stable code, and what to do. */
export function ErrorNotice(props: { error: ErrorShape; title?: string }) {
  const { error } = props;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">
        {props.title ? `${props.title}: ` : ''}
        {error.message} <code className="code-tag">{error.code}</code>
      </p>
      {error.hint ? <p className="notice-hint">Fix: {error.hint}</p> : null}
    </div>
  );
}
