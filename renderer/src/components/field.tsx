import { useId, type ReactNode } from 'react';

interface FieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly type?: 'text' | 'password' | 'url' | 'number';
  readonly placeholder?: string;
  readonly help?: ReactNode;
  readonly multiline?: boolean;
  readonly autoFocus?: boolean;
  readonly name?: string;
}

/** A labelled input: the label is bound to the control, so screen readers and tests find it. */
export function Field(props: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const common = {
    id,
    name: props.name,
    value: props.value,
    placeholder: props.placeholder,
    autoFocus: props.autoFocus,
    'aria-describedby': props.help ? helpId : undefined,
    spellCheck: false,
    autoComplete: 'off',
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={8} onChange={(event) => props.onChange(event.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type ?? 'text'}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
      {props.help ? (
        <p className="field-help" id={helpId}>
          {props.help}
        </p>
      ) : null}
    </div>
  );
}

export function Checkbox(props: {
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
    </div>
  );
}
