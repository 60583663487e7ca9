import type { ReactNode } from 'react';
import { Field } from './field.js';
import { PemFilePicker } from './pem-file-picker.js';

/**
 * A multi-line PEM field that also takes a file (chosen or dropped): every place that asks for
 * CA certificates offers the same three ways in, and a file's text lands in the field, where it
 * is checked as if it had been pasted.
 */
export function PemField(props: {
  readonly label: string;
  /** The accessible name of the file input, e.g. "Choose the CA file". */
  readonly fileLabel: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly help: ReactNode;
}) {
  return (
    <PemFilePicker label={props.fileLabel} onText={props.onChange}>
      <Field
        label={props.label}
        value={props.value}
        onChange={props.onChange}
        multiline
        placeholder="-----BEGIN CERTIFICATE-----"
        help={props.help}
      />
    </PemFilePicker>
  );
}
