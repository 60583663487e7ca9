import { useRef, useState } from 'react';
import type { PushEngineChoice } from '../../../common/api/models.js';
import type { PushProgress } from '../../../common/models/push.js';
import { useAction, useApi, useCompanionEvents } from '../app-context.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Field } from '../components/field.js';
import {
  InstallationPicker,
  useInstallations,
  useSelectedInstallation,
} from '../components/installation-picker.js';
import { mergePushProgress, PushProgressList } from '../components/push-progress.js';

/** One real commit through the same engine the platform's pushes use, to prove the path end to end. */
export function TestPushView() {
  const api = useApi();
  const installations = useInstallations();
  const [name, setName] = useSelectedInstallation(installations);
  const [repo, setRepo] = useState('');
  const [branch, setBranch] = useState('main');
  const [path, setPath] = useState('companion-test.txt');
  const [content, setContent] = useState(() => `Test push from the Ankra BDC Companion\n`);
  const [message, setMessage] = useState('Test push from the Ankra BDC Companion');
  const [engine, setEngine] = useState<PushEngineChoice>('auto');
  // A ref, not state: the first events arrive before React re-renders with a new run id.
  const runId = useRef<string | undefined>(undefined);
  const [progress, setProgress] = useState<readonly PushProgress[]>([]);
  useCompanionEvents((event) => {
    if (event.kind === 'push-progress' && event.runId === runId.current) {
      setProgress((current) => mergePushProgress(current, event.progress));
    }
  });
  const [push, pushed] = useAction(() => {
    const id = `push-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    runId.current = id;
    setProgress([]);
    return api.testPush({
      installation: name,
      repo: repo.trim(),
      branch: branch.trim(),
      message,
      put: [{ path: path.trim(), content }],
      delete: [],
      engine,
      runId: id,
    });
  });

  if (installations.length === 0) return <p>No installations yet: run the setup first.</p>;
  return (
    <section aria-labelledby="test-push-title">
      <h2 id="test-push-title">Test push</h2>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void push();
        }}
      >
        <InstallationPicker installations={installations} value={name} onChange={setName} />
        <Field
          label="Repository (PROJECT/slug)"
          value={repo}
          onChange={setRepo}
          placeholder="PROJ/repo"
        />
        <Field label="Branch" value={branch} onChange={setBranch} />
        <Field label="File path" value={path} onChange={setPath} />
        <Field label="File content" value={content} onChange={setContent} multiline />
        <Field label="Commit message" value={message} onChange={setMessage} />
        <label className="inline-field">
          Engine{' '}
          <select
            value={engine}
            onChange={(event) => setEngine(event.target.value as PushEngineChoice)}
          >
            <option value="auto">auto (by repository size)</option>
            <option value="isomorphic-git">isomorphic-git</option>
            <option value="git">git CLI</option>
          </select>
        </label>
        <div className="actions">
          <button
            type="submit"
            className="primary"
            disabled={!repo.trim() || pushed.kind === 'running'}
          >
            {pushed.kind === 'running' ? 'Pushing…' : 'Push'}
          </button>
        </div>
      </form>
      <PushProgressList progress={progress} running={pushed.kind === 'running'} />
      {pushed.kind === 'failed' ? <ErrorNotice error={pushed.error} title="Push failed" /> : null}
      {pushed.kind === 'done' ? (
        <div className="notice notice-ok" role="status">
          {pushed.value.kind === 'noop' ? (
            <>Nothing to commit: the branch already has this content ({pushed.value.engine}).</>
          ) : (
            <>
              Pushed{' '}
              {pushed.value.commitUrl ? (
                <a
                  href={pushed.value.commitUrl}
                  target="_blank"
                  rel="noopener noreferrer"
                  className="mono"
                >
                  {pushed.value.commit.slice(0, 12)}
                </a>
              ) : (
                <span className="mono">{pushed.value.commit.slice(0, 12)}</span>
              )}{' '}
              with {pushed.value.engine} in {pushed.value.durationMs} ms ({pushed.value.attempts}{' '}
              attempt
              {pushed.value.attempts === 1 ? '' : 's'}).
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
