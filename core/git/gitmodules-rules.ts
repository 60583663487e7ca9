/**
 * git's fsck rules for the content of a `.gitmodules` blob (fsck.c fsck_gitmodules_fn, with
 * submodule-config.c check_submodule_name; docs/git-path-rules.md, ".gitmodules content"). A
 * server with `receive.fsckObjects` refuses a push that breaks them, and a clone by an older git
 * could be made to run a command or write outside the submodule folder, so the companion refuses
 * to write such a file at all. A `.gitmodules` git cannot parse is only reported at info level by
 * fsck (gitmodulesParse), so lines this reader cannot parse are skipped, not refused.
 */
export function gitmodulesProblem(content: Uint8Array): string | undefined {
  for (const { name, key, value } of submoduleSettings(Buffer.from(content).toString('utf8'))) {
    if (!validSubmoduleName(name))
      return `names a submodule "${name}" git refuses (gitmodulesName)`;
    if (value === undefined) continue;
    // looks_like_command_line_option: a value git would hand to a subprocess as an option.
    if (key === 'url' && value.startsWith('-'))
      return `gives submodule "${name}" a url starting with "-" (gitmodulesUrl)`;
    if (key === 'path' && value.startsWith('-'))
      return `gives submodule "${name}" a path starting with "-" (gitmodulesPath)`;
    // `update = !command` runs a command on `git submodule update` (gitmodulesUpdate).
    if (key === 'update' && value.startsWith('!'))
      return `gives submodule "${name}" an "update = !command" setting (gitmodulesUpdate)`;
  }
  return undefined;
}

/**
 * check_submodule_name: not empty, and no `..` component, with `/` and `\` both separators (the
 * name becomes a folder under `.git/modules/` on every platform).
 */
export function validSubmoduleName(name: string): boolean {
  if (name === '') return false;
  return !name.split(/[/\\]/u).some((component) => component === '..');
}

interface SubmoduleSetting {
  readonly name: string;
  /** Lower case, as git compares keys. */
  readonly key: string;
  /** Undefined for a key without `=` (a boolean true), which git's checks skip. */
  readonly value: string | undefined;
}

/** The `submodule.<name>.<key>` settings of a git config text, in order. */
function submoduleSettings(text: string): SubmoduleSetting[] {
  const settings: SubmoduleSetting[] = [];
  let section: { readonly name: string; readonly subsection: string | undefined } | undefined;
  const lines = joinContinuations(text.split(/\r?\n/u));
  for (const raw of lines) {
    let line = raw.trim();
    if (line.startsWith('[')) {
      const header = parseHeader(line);
      section = header?.section;
      if (header === undefined) continue;
      line = header.rest.trim();
    }
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const match = /^([A-Za-z][A-Za-z0-9-]*)\s*(=(.*))?$/su.exec(line);
    if (match === null || section === undefined) continue;
    if (section.name !== 'submodule' || section.subsection === undefined) continue;
    settings.push({
      name: section.subsection,
      key: (match[1] as string).toLowerCase(),
      value: match[2] === undefined ? undefined : parseValue(match[3] as string),
    });
  }
  return settings;
}

/** A value line ending in an odd number of backslashes continues on the next line. */
function joinContinuations(lines: readonly string[]): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    const trailing = /\\*$/u.exec(line)?.[0].length ?? 0;
    if (trailing % 2 === 1) pending += line.slice(0, -1);
    else {
      joined.push(pending + line);
      pending = '';
    }
  }
  if (pending !== '') joined.push(pending);
  return joined;
}

/** `[section "subsection"]` (escapes `\"`, `\\`) or the legacy `[section.subsection]`. */
function parseHeader(
  line: string,
): { section: { name: string; subsection: string | undefined }; rest: string } | undefined {
  const quoted = /^\[\s*([A-Za-z0-9.-]+)\s+"((?:[^"\\]|\\.)*)"\s*\]/su.exec(line);
  if (quoted !== null) {
    return {
      section: {
        name: (quoted[1] as string).toLowerCase(),
        subsection: (quoted[2] as string).replace(/\\(.)/gsu, '$1'),
      },
      rest: line.slice(quoted[0].length),
    };
  }
  const plain = /^\[\s*([A-Za-z0-9-]+)(?:\.([^\]\s]*))?\s*\]/u.exec(line);
  if (plain === null) return undefined;
  return {
    section: {
      name: (plain[1] as string).toLowerCase(),
      // The legacy dotted form is case-insensitive: git lower-cases it.
      subsection: plain[2] === undefined ? undefined : plain[2].toLowerCase(),
    },
    rest: line.slice(plain[0].length),
  };
}

/** A value as git reads it: quotes removed, escapes applied, an unquoted comment dropped. */
function parseValue(text: string): string {
  const raw = text.trimStart();
  let value = '';
  let quoted = false;
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index] as string;
    if (char === '"') quoted = !quoted;
    else if (char === '\\' && index + 1 < raw.length) {
      index += 1;
      const next = raw[index] as string;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : next;
    } else if (!quoted && (char === '#' || char === ';')) break;
    else value += char;
  }
  return value.trimEnd();
}
