/**
 * Where a hint is shown decides how it speaks (docs/troubleshooting.md): the GUI names fields,
 * steps and views; the command line names commands and flags. These detect a wording meant for
 * the other surface, so the wrong one is never shown.
 */
export type HintSurface = 'gui' | 'cli';

const CLI_COMMANDS =
  'installation|auth|webhooks|relay|probe|ca|push|history|serve|service|demo|diagnose|bridge|watch';

/**
 * A flag (`--ca-file`), the program name, stdin, a quoted command (`auth pat …`), "the command"
 * to run again, or an API field name in code quotes (`createFrom`): the window has none of them.
 */
export function speaksCli(text: string): boolean {
  return (
    /(^|[\s(`'"])--[a-z]/i.test(text) ||
    /\bbdc-companion\b/.test(text) ||
    /\bstdin\b/i.test(text) ||
    /\brun the command\b/i.test(text) ||
    /`[a-z]+[A-Z][A-Za-z]*`/.test(text) ||
    new RegExp(`\`(${CLI_COMMANDS}) [a-z<]`).test(text)
  );
}

/** Something only a window has: pasting, clicking, ticking, buttons, screens, the wizard. */
export function speaksGui(text: string): boolean {
  return /\b(paste|click|tick|button|wizard|screen)\b/i.test(text);
}

/** Whether a hint may be shown on this surface. */
export function fitsSurface(text: string, surface: HintSurface): boolean {
  return surface === 'gui' ? !speaksCli(text) : !speaksGui(text);
}
