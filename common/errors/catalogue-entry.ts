/** Why an error happens and what the user can do about it, each in one line. */
export interface CatalogueEntry {
  readonly cause: string;
  readonly fix: string;
}

export type CatalogueSection = Readonly<Record<string, CatalogueEntry>>;
