import { useState, type DragEvent, type ReactNode } from 'react';
import { toErrorShape } from '../../../common/errors/companion-error.js';
import type { ErrorShape } from '../../../common/errors/error-shape.js';
import { ErrorNotice } from './error-notice.js';
import { droppedRegularFile, readPickedPem, type PickedFile } from './picked-file.js';

/**
 * A PEM text field that also takes a file: "Choose a file…" or a file dropped on it. The page
 * reads the file (bounded, regular files only: components/picked-file.ts) and puts its text in
 * the field, where it is checked as if it had been pasted.
 */
export function PemFilePicker(props: {
  /** The accessible name of the file input, e.g. "CA certificate file". */
  label: string;
  onText: (text: string) => void;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  const [error, setError] = useState<ErrorShape | undefined>(undefined);
  const take = async (file: PickedFile | undefined, regular = true) => {
    if (file === undefined) return;
    try {
      props.onText(await readPickedPem(file, regular));
      setError(undefined);
    } catch (caught) {
      setError(toErrorShape(caught));
    }
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const { file, regular } = droppedRegularFile(event.dataTransfer.items[0]);
    void take(file ?? event.dataTransfer.files[0], file === undefined ? true : regular);
  };
  return (
    <div
      className={`drop-zone${over ? ' drop-zone-over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {props.children}
      <label className="file-pick">
        Or choose a file (or drop it here):{' '}
        <input
          type="file"
          aria-label={props.label}
          accept=".pem,.crt,.cer,.cert"
          onChange={(event) => {
            void take(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
      </label>
      {error ? <ErrorNotice error={error} title="File not used" /> : null}
    </div>
  );
}
