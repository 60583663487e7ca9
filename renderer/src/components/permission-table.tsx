import {
  APPLICATION_LINK_SIGN_IN_NOTE,
  featureText,
  PERMISSION_NEEDS,
} from '../../../common/auth/permission-needs.js';

/** What each feature needs, from the one list docs/bdc-admin-setup.md shows too. */
export function PermissionTable(props: { for: 'token' | 'application-link' }) {
  const table = (
    <table className="permission-table" aria-label="Permissions each feature needs">
      <thead>
        <tr>
          <th scope="col">To</th>
          <th scope="col">
            {props.for === 'token' ? 'the token needs' : 'the Application Link needs'}
          </th>
        </tr>
      </thead>
      <tbody>
        {PERMISSION_NEEDS.map((need) => (
          <tr key={need.id}>
            <td>{featureText(need)}</td>
            <td>
              <strong>{props.for === 'token' ? need.token : need.applicationLink}</strong>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  if (props.for === 'token') return table;
  return (
    <>
      {table}
      <p className="hint">{APPLICATION_LINK_SIGN_IN_NOTE}</p>
    </>
  );
}
