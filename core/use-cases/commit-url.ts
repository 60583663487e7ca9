/** `{base}/projects/P/repos/slug/commits/SHA`: where BDC shows a commit. */
export function commitUrl(baseUrl: string, repo: string, commit: string): string {
  const [project = '', slug = ''] = repo.split('/');
  return `${baseUrl}/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}/commits/${commit}`;
}
