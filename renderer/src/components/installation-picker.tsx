import { useEffect, useState } from 'react';
import type { Installation } from '../../../common/api/models.js';
import { useApi, useCompanionEvents } from '../app-context.js';

/** The installations, kept fresh by `installations-changed` events. */
export function useInstallations(): readonly Installation[] {
  const api = useApi();
  const [installations, setInstallations] = useState<readonly Installation[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void api.listInstallations().then(setInstallations, () => setInstallations([]));
  }, [api, version]);
  useCompanionEvents((event) => {
    if (event.kind === 'installations-changed') setVersion((current) => current + 1);
  });
  return installations;
}

export function InstallationPicker(props: {
  installations: readonly Installation[];
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <label className="inline-field">
      Installation{' '}
      <select value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.installations.map((installation) => (
          <option key={installation.id} value={installation.name}>
            {installation.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The selected installation's name, defaulting to the first one as they load. */
export function useSelectedInstallation(
  installations: readonly Installation[],
): [string, (name: string) => void] {
  const [selected, setSelected] = useState('');
  const first = installations[0]?.name ?? '';
  const current = installations.some((each) => each.name === selected) ? selected : first;
  return [current, setSelected];
}
