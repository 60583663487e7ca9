import ts from 'typescript';

/**
 * A static scan for the rules docs/architecture.md says are never bent: TLS verification is never disabled,
 * and force pushes are impossible. It walks the TypeScript AST (not text), so `rm(x, { force:
 * true })` and a comment that *mentions* `rejectUnauthorized: false` do not trip it, while every
 * spelling of the real thing does (quoted keys, computed env keys, template refspecs).
 */
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

/** The marker the probe's one inspection-only handshake carries on its line. */
export const CHAIN_INSPECTION_MARKER = 'probe-chain-inspection';

/** Callees whose `force: true` means "no error if missing", not "rewrite history". */
const FILE_REMOVAL_CALLEES = /^(rm|rmSync|rmdir|rmdirSync|cp|cpSync|remove\w*|unlink\w*)$/;

const INSECURE_FLAGS: ReadonlySet<string> = new Set([
  'strictssl',
  'sslverify',
  'verifyssl',
  'verify',
  'checkcertificate',
]);
const INSECURE_SWITCHES: ReadonlySet<string> = new Set([
  'insecure',
  'skipverify',
  'insecureskipverify',
  'tlsinsecure',
  'allowinsecure',
  'ignorecertificateerrors',
]);
/** Functions that only read or strip the unsafe variables; their arguments may name them. */
const ENV_INSPECTORS = /^(tlsEnvironmentNotes|withoutUnsafeGitTlsVariables)$/;

const UNSAFE_ENV_NAMES: ReadonlySet<string> = new Set([
  'NODE_TLS_REJECT_UNAUTHORIZED',
  'GIT_SSL_NO_VERIFY',
]);

function propertyName(name: ts.PropertyName): string | undefined {
  if (
    ts.isIdentifier(name) ||
    ts.isStringLiteral(name) ||
    ts.isNoSubstitutionTemplateLiteral(name)
  ) {
    return name.text;
  }
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) {
    return name.expression.text;
  }
  return undefined;
}

function isTrueLiteral(node: ts.Expression): boolean {
  return node.kind === ts.SyntaxKind.TrueKeyword;
}

function isFalseLike(node: ts.Expression): boolean {
  if (node.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isStringLiteralLike(node)) return /^(false|0|no|off)$/i.test(node.text);
  if (ts.isNumericLiteral(node)) return node.text === '0';
  return false;
}

function calleeName(call: ts.CallExpression): string | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function enclosingCallee(node: ts.Node): string | undefined {
  let current: ts.Node | undefined = node.parent;
  while (current !== undefined && ts.isParenthesizedExpression(current)) current = current.parent;
  return current !== undefined && ts.isCallExpression(current) ? calleeName(current) : undefined;
}

function stringValue(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text;
  return undefined;
}

export interface ScanOptions {
  /** Scan for force-push spellings too (off for tests, which push --force on purpose to see it refused). */
  readonly forcePush: boolean;
}

export function scanSource(file: string, source: string, options: ScanOptions): Violation[] {
  const kind = /\.tsx$/.test(file)
    ? ts.ScriptKind.TSX
    : /\.[cm]?js$/.test(file)
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  const lines = source.split('\n');
  const violations: Violation[] = [];
  const report = (node: ts.Node, rule: string): void => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
    violations.push({ file, line: line + 1, rule, text: (lines[line] ?? '').trim() });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node)) {
      const name = propertyName(node.name);
      const lower = name?.toLowerCase();
      if (name === 'rejectUnauthorized' && !isTrueLiteral(node.initializer)) {
        report(node, 'tls: rejectUnauthorized other than true');
      } else if (name === 'checkServerIdentity') {
        report(node, 'tls: custom checkServerIdentity (host name check bypass)');
      } else if (
        name !== undefined &&
        UNSAFE_ENV_NAMES.has(name) &&
        !(
          ts.isStringLiteralLike(node.initializer) &&
          node.initializer.text === '1' &&
          name.startsWith('NODE_')
        ) &&
        !ENV_INSPECTORS.test(enclosingCallee(node.parent) ?? '')
      ) {
        report(node, `tls: ${name} set in an environment`);
      } else if (
        lower !== undefined &&
        INSECURE_FLAGS.has(lower) &&
        isFalseLike(node.initializer)
      ) {
        report(node, `tls: ${name} turned off`);
      } else if (
        lower !== undefined &&
        INSECURE_SWITCHES.has(lower) &&
        !isFalseLike(node.initializer) &&
        node.initializer.kind !== ts.SyntaxKind.UndefinedKeyword
      ) {
        report(node, `tls: ${name} switched on`);
      } else if (
        options.forcePush &&
        name === 'force' &&
        !isFalseLike(node.initializer) &&
        !FILE_REMOVAL_CALLEES.test(enclosingCallee(node.parent) ?? '')
      ) {
        report(node, 'push: force option');
      }
    }
    if (ts.isShorthandPropertyAssignment(node)) {
      const name = node.name.text;
      if (name === 'rejectUnauthorized' || name === 'checkServerIdentity') {
        report(node, `tls: ${name} passed through from a variable`);
      }
      if (
        options.forcePush &&
        name === 'force' &&
        !FILE_REMOVAL_CALLEES.test(enclosingCallee(node.parent) ?? '')
      ) {
        report(node, 'push: force option passed through from a variable');
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = node.left.getText(sourceFile);
      for (const name of UNSAFE_ENV_NAMES) {
        if (left.includes(name)) report(node, `tls: ${name} assigned`);
      }
      if (/rejectUnauthorized$/.test(left) && !isTrueLiteral(node.right)) {
        report(node, 'tls: rejectUnauthorized assigned other than true');
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      // process.env.X = ... is covered above; `Object.assign(env, { X })` by the property rule;
      // `env.set('GIT_SSL_NO_VERIFY', …)` and friends here.
      const first = node.arguments[0];
      if (
        first !== undefined &&
        ts.isStringLiteralLike(first) &&
        UNSAFE_ENV_NAMES.has(first.text) &&
        /^(set|setEnv|putenv)$/.test(node.expression.name.text)
      ) {
        report(node, `tls: ${first.text} set`);
      }
    }
    const text = stringValue(node);
    if (text !== undefined) {
      if (/\bsslverify\s*=\s*(false|0|no|off)\b/i.test(text)) report(node, 'tls: sslVerify=false');
      if (text === '--insecure') report(node, 'tls: --insecure flag');
      if (/NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*0/.test(text)) {
        report(node, 'tls: NODE_TLS_REJECT_UNAUTHORIZED=0');
      }
      if (options.forcePush) {
        if (/^--force(-with-lease|-if-includes)?(=|$)/.test(text) || text === '--mirror') {
          report(node, 'push: force flag');
        }
        if (
          /^\+(refs\/|HEAD|[\w.-]*:|$)/.test(text) &&
          (ts.isTemplateExpression(node) || text.length > 1)
        ) {
          report(node, 'push: + refspec');
        }
        if (ts.isTemplateExpression(node) && node.head.text === '+')
          report(node, 'push: + refspec');
      }
    }
    if (ts.isArrayLiteralExpression(node)) {
      const values = node.elements.map((element) => stringValue(element));
      if (values.some((value) => value !== undefined && /^http\.(\S+\.)?sslverify$/i.test(value))) {
        const verifyIndex = values.findIndex(
          (value) => value !== undefined && /^http\.(\S+\.)?sslverify$/i.test(value),
        );
        const next = node.elements[verifyIndex + 1];
        if (next !== undefined && isFalseLike(next))
          report(node, 'tls: http.sslVerify false entry');
      }
      if (options.forcePush && values.includes('push') && values.includes('-f')) {
        report(node, 'push: -f');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return violations;
}

/** Whether a violation is the probe's one sanctioned inspection handshake. */
export function isMarkedChainInspection(violation: Violation): boolean {
  return (
    violation.file.replace(/\\/g, '/').endsWith('core/probe/tls-handshakes.ts') &&
    violation.rule === 'tls: rejectUnauthorized other than true' &&
    violation.text.includes(CHAIN_INSPECTION_MARKER)
  );
}

/** Line rules for shell, CI and packaging files. */
const TEXT_RULES: readonly [RegExp, string][] = [
  [/NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*["']?0/, 'tls: NODE_TLS_REJECT_UNAUTHORIZED=0'],
  [/GIT_SSL_NO_VERIFY\s*[=:]/, 'tls: GIT_SSL_NO_VERIFY set'],
  [/sslverify\s*[= ]\s*["']?(false|0|no|off)\b/i, 'tls: sslVerify=false'],
  [/\bcurl\b[^\n]*\s(-k|--insecure)\b/, 'tls: curl --insecure'],
  [/\bwget\b[^\n]*--no-check-certificate/, 'tls: wget --no-check-certificate'],
  [/\bgit\b[^\n]*\bpush\b[^\n]*\s(--force\S*|-f)\b/, 'push: git push --force'],
  [/\bgit\b[^\n]*\bpush\b[^\n]*\s\+\S+/, 'push: + refspec'],
];

/** Scans a shell, YAML or JSON file line by line; comment lines are skipped. */
export function scanText(file: string, text: string): Violation[] {
  const violations: Violation[] = [];
  text.split('\n').forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    for (const [pattern, rule] of TEXT_RULES) {
      if (pattern.test(line)) violations.push({ file, line: index + 1, rule, text: line.trim() });
    }
  });
  return violations;
}
