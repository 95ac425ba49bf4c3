/** The path of a request target (`/v1/blocks?start=1` → `/v1/blocks`), as problems and routing name it. */
export function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}
