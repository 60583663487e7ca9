/** Why BDC may not reach the relay URL: warnings, since only BDC's own test call can tell. */
export function RelayUrlWarnings(props: { warnings: readonly string[] }) {
  return (
    <div className="notice notice-warn" role="note" aria-label="Relay URL warnings">
      <p className="notice-title">BDC may not be able to reach this relay URL:</p>
      <ul>
        {props.warnings.map((warning) => (
          <li key={warning}>{warning}</li>
        ))}
      </ul>
    </div>
  );
}
